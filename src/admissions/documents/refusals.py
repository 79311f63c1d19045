"""Why a file is refused on arrival: a stable code, its parameters and a message per language.

The code and parameters are what is stored (on the document and in the history); the
message is rendered when shown, in the reader's language, so a candidate reading in English
and an officer reading in French both get a precise sentence.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils import formats, translation
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from admissions.documents.sniffing import LABELS, FileKind


class RefusalCode(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"
    INFECTED = "infected"
    PDF_UNREADABLE = "pdf_unreadable"
    PDF_DAMAGED = "pdf_damaged"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_JAVASCRIPT = "pdf_javascript"
    PDF_LAUNCH = "pdf_launch"
    PDF_EMBEDDED_FILE = "pdf_embedded_file"
    PDF_FORM_ACTION = "pdf_form_action"
    PDF_REMOTE_LINK = "pdf_remote_link"
    PDF_TOO_COMPLEX = "pdf_too_complex"
    PDF_NO_PAGES = "pdf_no_pages"
    PDF_TOO_MANY_PAGES = "pdf_too_many_pages"
    IMAGE_UNREADABLE = "image_unreadable"
    IMAGE_TOO_SMALL = "image_too_small"
    IMAGE_TOO_LARGE = "image_too_large"
    VALIDITY_REQUIRED = "validity_required"
    EXPIRED = "expired"


MESSAGES: dict[RefusalCode, Promise] = {
    RefusalCode.EMPTY: _("The file is empty (0 bytes). Choose the file again and upload it."),
    RefusalCode.TOO_LARGE: _(
        "The file is larger than the %(limit)s allowed for this document. Reduce it (for "
        "example by scanning in black and white at 200 dpi) and upload it again."
    ),
    RefusalCode.WRONG_TYPE: _(
        "This file is %(detected)s, whatever its name says; this document must be %(expected)s. "
        "Save or export it as %(expected)s and upload it again."
    ),
    RefusalCode.INFECTED: _(
        "The antivirus found a threat in this file (%(signature)s). The file was not accepted "
        "and the admissions office has been told. Upload a clean copy."
    ),
    RefusalCode.PDF_UNREADABLE: _(
        "This PDF cannot be opened: it is damaged or not really a PDF. Export the document "
        "to PDF again and upload the new file."
    ),
    RefusalCode.PDF_DAMAGED: _(
        "This PDF is damaged or incomplete (it may have been cut off while being copied or "
        "downloaded). Export it to PDF again and upload the new file."
    ),
    RefusalCode.PDF_ENCRYPTED: _(
        "This PDF is protected by a password or encryption, so it cannot be checked or read "
        "by the jury. Upload a copy without protection."
    ),
    RefusalCode.PDF_JAVASCRIPT: _(
        "This PDF contains JavaScript, which is not accepted. Print it to a new PDF "
        '("Save as PDF" or "Print to PDF") and upload that copy.'
    ),
    RefusalCode.PDF_LAUNCH: _(
        "This PDF contains an action that starts a program, which is not accepted. Print it "
        'to a new PDF ("Save as PDF" or "Print to PDF") and upload that copy.'
    ),
    RefusalCode.PDF_EMBEDDED_FILE: _(
        "This PDF carries attached files, which are not accepted. Upload each document as "
        "its own PDF, without attachments."
    ),
    RefusalCode.PDF_FORM_ACTION: _(
        "This PDF contains a form that sends or imports data, which is not accepted. Print "
        'it to a new PDF ("Save as PDF" or "Print to PDF") and upload that copy.'
    ),
    RefusalCode.PDF_REMOTE_LINK: _(
        "This PDF contains a link that opens another file, which is not accepted. Print it "
        'to a new PDF ("Save as PDF" or "Print to PDF") and upload that copy.'
    ),
    RefusalCode.PDF_TOO_COMPLEX: _(
        "This PDF is too complex to be checked: it holds too many objects, or reading it "
        'takes too much time or memory. Print it to a new PDF ("Save as PDF") and upload '
        "that copy."
    ),
    RefusalCode.PDF_NO_PAGES: _("This PDF has no page."),
    RefusalCode.PDF_TOO_MANY_PAGES: _(
        "This PDF has %(pages)s pages; this document may have at most %(max_pages)s."
    ),
    RefusalCode.IMAGE_UNREADABLE: _(
        "This image cannot be read completely: it is damaged or was cut off. Take or export "
        "the photo again and upload the new file."
    ),
    RefusalCode.IMAGE_TOO_SMALL: _(
        "The photo is %(width)s × %(height)s pixels; it must be at least "
        "%(min_width)s × %(min_height)s pixels."
    ),
    RefusalCode.IMAGE_TOO_LARGE: _(
        "The image has too many pixels to be processed (the limit is %(max_megapixels)s "
        "megapixels). Upload a smaller version."
    ),
    RefusalCode.VALIDITY_REQUIRED: _("Give the date until which this document is valid."),
    RefusalCode.EXPIRED: _(
        "This document expired on %(date)s. Upload a document that is still valid."
    ),
}


class Refusal(Exception):  # noqa: N818 - a refusal is an outcome, named as the domain says it
    """A file refused on arrival, with the stable code and parameters of the reason."""

    def __init__(self, code: RefusalCode, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code.value)

    @property
    def message(self) -> str:
        return render(self.code, self.params)


def render(code: str, params: dict[str, Any], language: str | None = None) -> str:
    """The sentence for a stored refusal, in `language` or the active language."""
    if language:
        with translation.override(language):
            return _render(code, params)
    return _render(code, params)


def _render(code: str, params: dict[str, Any]) -> str:
    try:
        template = MESSAGES[RefusalCode(code)]
    except ValueError:
        return str(_("The file was refused."))
    return str(template) % _shown(params)


def _shown(params: dict[str, Any]) -> dict[str, Any]:
    """Stored parameters (numbers, codes, ISO dates) as a reader sees them."""
    shown: dict[str, Any] = {}
    for key, value in params.items():
        if key in ("size", "limit") and isinstance(value, int):
            shown[key] = filesizeformat(value)
        elif key == "detected":
            shown[key] = LABELS.get(_kind(value), LABELS[FileKind.UNKNOWN])
        elif key == "expected":
            kinds = [LABELS[_kind(item)] for item in value] if isinstance(value, list) else []
            shown[key] = str(_(" or ")).join(str(kind) for kind in kinds) or value
        elif key == "date" and isinstance(value, str) and (day := parse_date(value)):
            shown[key] = formats.date_format(day, "DATE_FORMAT")
        else:
            shown[key] = value
    return shown


def _kind(value: object) -> FileKind:
    try:
        return FileKind(str(value))
    except ValueError:
        return FileKind.UNKNOWN
