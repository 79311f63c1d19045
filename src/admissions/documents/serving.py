"""Handing a stored document to a person allowed to read it, as an inert attachment."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponseBase

from admissions.documents import access, storage
from admissions.documents.models import DocumentVersion
from admissions.people.models import User


def attachment(response: HttpResponseBase) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Even if a browser rendered it, it would run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def serve_version(user: User, public_id: Any, *, inline: bool = False) -> HttpResponseBase:
    """One version's file as an attachment, for its candidate or staff of its programme.

    `inline` lets a page show it (a sandboxed frame, an image); the headers stay the same, so
    the file still runs nothing and reaches nothing.
    """
    version = (
        DocumentVersion.objects.select_related("document", "document__application")
        .filter(public_id=public_id)
        .first()
    )
    if version is None or not version.servable:
        raise Http404
    document = version.document
    application = document.application
    if not access.can_read(user, application):
        raise Http404
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
