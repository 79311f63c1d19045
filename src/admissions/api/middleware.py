"""What every request under /api/ meets before and after its operation.

- A bearer token (`Authorization: Bearer adm_...`) signs the request in as the token's owner,
  before anything reads the body, so uploads judge their sender from the headers alone;
  a token that names nobody is refused (401), a read-only token may only read (403).
- Too many requests from one token, user or address in a minute: 429.
- A body larger than Django's limit is refused from its declared length (413), before it is
  read; an upload (multipart) is judged by its own operation, against its document's limit.
- Whatever Django answers itself (an unknown path, a method not allowed, a crash) becomes
  the API's JSON error, `{code, message, details}`, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from admissions.api import idempotency
from admissions.api.errors import error_body
from admissions.core import ratelimit
from admissions.core.clientaddress import client_address
from admissions.people.tokens import find_token

API_PREFIX = "/api/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def refusal(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _holds_nul(request: HttpRequest) -> bool:
    """A NUL in the path, the query or a JSON body: no text field takes one, and PostgreSQL
    refuses it in a query, so it is refused before any operation runs."""
    if "\x00" in request.path_info or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
        return True
    return request.content_type == "application/json" and b"\\u0000" in request.body


def _throttled(request: HttpRequest) -> int | None:
    """Seconds to wait when the request's sender (its token, its user, else its address)
    made too many requests this minute, else None. Without a limit the sender is not
    looked for."""
    limit = int(getattr(settings, "API_RATE_PER_MINUTE", 0))
    if limit <= 0:
        return None
    user = getattr(request, "user", None)
    if request.api_token is not None:  # type: ignore[attr-defined]
        who = f"token:{request.api_token.pk}"  # type: ignore[attr-defined]
    elif user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    else:
        who = f"address:{client_address(request)}"
    return ratelimit.hit("api", who, limit=limit, seconds=60)


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        refused = self._before(request)
        if refused is not None:
            return refused
        if request.method not in SAFE_METHODS and request.content_type != "multipart/form-data":
            return idempotency.handle(
                request, lambda request: self._as_json(request, self.get_response(request))
            )
        return self._as_json(request, self.get_response(request))

    def _before(self, request: HttpRequest) -> HttpResponse | None:
        # The header as Django keeps it: `request.headers` would copy them all first.
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, credential = header.partition(" ")
        request.api_token = None  # type: ignore[attr-defined]
        if scheme.lower() == "bearer":
            token = find_token(credential.strip())
            if token is None:
                return refusal(401, "invalid_token", _("This API token is unknown or revoked."))
            request.user = token.user
            request.api_token = token  # type: ignore[attr-defined]
            # A token is no cookie: a page of another site cannot make a browser send it.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
            if request.method not in SAFE_METHODS and not token.can_write:
                return refusal(403, "token_read_only", _("This API token may only read."))
        wait = _throttled(request)
        if wait is not None:
            response = refusal(429, "throttled", _("Too many requests: wait a minute."))
            response["Retry-After"] = str(wait)
            return response
        length = _declared_length(request)
        if length is None:
            return refusal(400, "bad_request", _("The Content-Length header is not a number."))
        multipart = request.content_type == "multipart/form-data"
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if not multipart and limit is not None and length > limit:
            return refusal(
                413,
                "body_too_large",
                _("The request's body is too large (at most %(limit)d bytes).") % {"limit": limit},
                {"limit": limit},
            )
        if _holds_nul(request):
            return refusal(
                400, "nul_character", _("The request holds a NUL character, which no field takes.")
            )
        return None

    def _as_json(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        status = response.status_code
        if status == 404:
            return refusal(404, "not_found", _("Not found."))
        if status == 405:
            allowed = response.get("Allow", "")
            answer = refusal(
                405,
                "method_not_allowed",
                _("This method is not allowed here."),
                {"allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
            )
            if allowed:
                answer["Allow"] = allowed
            return answer
        if status == 403:
            return refusal(403, "forbidden", _("You may not do this."))
        if status == 413:
            return refusal(413, "body_too_large", _("The request's body is too large."))
        if status >= 500:
            return refusal(status, "server_error", _("Something went wrong on our side."))
        return refusal(status, "bad_request", _("The request could not be read."))
