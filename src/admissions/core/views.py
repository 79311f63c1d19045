from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from admissions.core.health import run_checks
from admissions.core.outages import RETRY_AFTER_SECONDS

# Where a 429 answers with the API's JSON error: the API, and pages' scripts that ask for JSON.
JSON_PREFIX = "/api/"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The platform's health for load balancers and monitoring: 503 when it cannot serve."""
    report = run_checks()
    return JsonResponse(report.as_json(), status=503 if report.down else 200)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django cannot read (most often a form sending a file whose name runs to
    a thousand characters): a page in the reader's language, or the API's JSON error."""
    message = _(
        "The form could not be read. Go back and send it again; if it held a file, give "
        "the file a shorter name first."
    )
    if request.path.startswith("/api/"):
        body = {"code": "bad_request", "message": message, "details": None}
        return JsonResponse(body, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def storage_unavailable(request: HttpRequest) -> HttpResponse:
    """Document storage does not answer: try again in a moment, nothing saved is lost."""
    message = _(
        "The storage of documents does not answer for a moment. What you saved before is "
        "safe; what you just sent was not saved. Try again in a minute."
    )
    if request.path.startswith(JSON_PREFIX) or request.headers.get("Accept") == "application/json":
        body = {"code": "storage_unavailable", "message": message, "details": None}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = render(request, "503.html", {"message": message}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def too_many_requests(
    request: HttpRequest, exception: Exception | None = None, *, retry_after: int = 60
) -> HttpResponse:
    """Too many attempts (log-in, sign-up, password reset, uploads): wait, in the reader's
    language; the API's JSON error under /api/ and for scripts that accept only JSON."""
    message = _("Too many attempts in a short time. Wait a few minutes, then try again.")
    if request.path.startswith(JSON_PREFIX) or request.headers.get("Accept") == "application/json":
        body = {"code": "throttled", "message": message, "details": {"retry_after": retry_after}}
        response: HttpResponse = JsonResponse(body, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
