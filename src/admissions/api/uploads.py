"""Multipart bodies read only up to their limit, once the sender has been judged."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse

from admissions.api.errors import error_body
from admissions.documents.refusals import Refusal, RefusalCode
from admissions.documents.uploadlimit import (
    UNREADABLE_FORM,
    declared_too_large,
    limit_upload,
    parse_upload,
)


def file_too_large(limit: int) -> JsonResponse:
    """The refusal of a file over `limit` bytes, as the document pages word it."""
    refusal = Refusal(RefusalCode.TOO_LARGE, limit=limit)
    return JsonResponse(
        error_body(RefusalCode.TOO_LARGE.value, refusal.message, {"limit": limit}), status=413
    )


def read_within(
    request: HttpRequest, limit: int, too_large: Callable[[], JsonResponse]
) -> JsonResponse | None:
    """Read the body, refusing it (`too_large()`, built only then) as soon as it is declared
    or found over `limit`; None once it is read whole and the operation may run."""
    if declared_too_large(request, limit):
        return too_large()
    handler = limit_upload(request, limit)
    if not parse_upload(request):
        return JsonResponse(error_body("unreadable_upload", str(UNREADABLE_FORM), None), status=400)
    if handler.exceeded:
        return too_large()
    return None
