from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from admissions.core.health import run_checks


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The platform's health for load balancers and monitoring: 503 when it cannot serve."""
    report = run_checks()
    return JsonResponse(report.as_json(), status=503 if report.down else 200)
