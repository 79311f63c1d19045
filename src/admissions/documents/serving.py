"""Handing a stored document to a person allowed to read it, as an inert attachment."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase

from admissions.documents import access, storage
from admissions.documents.accesslog import record_access
from admissions.documents.models import AccessKind, DocumentVersion
from admissions.people.models import User


def attachment(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Even if a browser rendered it, it would run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def serve_version(
    request: HttpRequest, public_id: Any, *, inline: bool = False
) -> HttpResponseBase:
    """One version's file as an attachment, for its candidate or staff of its programme.

    `inline` lets a page show it (a sandboxed frame, an image); the headers stay the same, so
    the file still runs nothing and reaches nothing. Staff's reads are logged (accesslog).
    """
    user: User = request.user  # type: ignore[assignment]
    version = (
        DocumentVersion.objects.select_related("document", "document__application__programme")
        .filter(public_id=public_id)
        .first()
    )
    if version is None or not version.servable:
        raise Http404
    document = version.document
    application = document.application
    if not access.can_read(user, application):
        raise Http404
    record_access(
        request,
        application=application,
        read=[(version, document.requirement_code, document.is_translation)],
        kind=AccessKind.VIEW if inline else AccessKind.DOWNLOAD,
    )
    suffix = "-translation" if document.is_translation else ""
    filename = (
        f"{application.reference}-{document.requirement_code}{suffix}"
        f"-v{version.number}.{version.extension}"
    )
    response = FileResponse(
        storage.open_file(version.file.name or ""),
        as_attachment=not inline,
        filename=filename,
        content_type=version.content_type,
    )
    return attachment(response)
