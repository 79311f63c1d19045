"""Cutting off an over-size upload while it arrives, instead of after reading it whole.

The handler goes first in the request's upload handlers and counts bytes as Django's
multipart parser feeds them; past the limit it stops the upload, so nothing more is read
into memory or a temporary file. The fields sent before the file (the CSRF token comes
first in our forms) are kept, so the page can answer with a proper message. A request that
announces a larger body than the limit is answered by the views before a byte is read
(`declared_too_large`). Install the handler before anything touches `request.POST` or
`request.FILES` (CSRF checks do): see `portal.documents_views` and `api.documents`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _

# What a ZIP of a whole file may weigh unless DOCUMENTS_IMPORT_MAX_BYTES says otherwise.
DEFAULT_IMPORT_MAX_BYTES = 100 * 1024 * 1024
# Room for the multipart boundaries, headers and the form's other fields.
ENVELOPE_BYTES = 64 * 1024
# Django's multipart parser reads at most 1 KB of headers per part: a file whose name is
# longer than about 900 characters makes the whole form unreadable.
UNREADABLE_FORM = _(
    "The file could not be received: its name is too long. Rename it with a shorter name "
    "(a few words) and upload it again."
)


class SizeLimitUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest, limit_bytes: int) -> None:
        super().__init__(request)
        self.limit_bytes = limit_bytes
        self.received = 0
        self.exceeded = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit_bytes:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def declared_too_large(request: HttpRequest, limit_bytes: int) -> bool:
    """Whether the request announces a body no allowed file could fit in."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > limit_bytes + ENVELOPE_BYTES


def limit_upload(request: HttpRequest, limit_bytes: int) -> SizeLimitUploadHandler:
    """Put a size limit in front of the request's upload handlers; returns the handler."""
    handler = SizeLimitUploadHandler(request, limit_bytes)
    request.upload_handlers.insert(0, handler)
    return handler


def import_max_bytes() -> int:
    return int(getattr(settings, "DOCUMENTS_IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES))


def parse_upload(request: HttpRequest) -> bool:
    """Read the form now, with the limit in place; False when it cannot be read at all."""
    try:
        request.FILES  # noqa: B018 - parsing is the point
    except MultiPartParserError:
        return False
    return True
