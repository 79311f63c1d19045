"""The whole file as one ZIP: a generated PDF summary, then every current document.

Files inside are named by the same convention the ZIP import reads (docs/documents.md):
`<requirement>.<ext>` and `<requirement>.translation.<ext>`, so a bundle can be sent and
imported again as it is, summary aside. The summary lists the checklist with each
document's state and the SHA-256 of each file, so that whoever holds the ZIP can verify it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from admissions.applications.models import Application
from admissions.documents import storage
from admissions.documents.accesslog import record_access
from admissions.documents.models import AccessKind, Document, DocumentVersion
from admissions.documents.status import ChecklistRow, application_checklist, checklist_with_states

SUMMARY_NAME = "summary.pdf"
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class BundleEntry:
    name: str  # inside the ZIP
    requirement_code: str
    translation: bool
    version: DocumentVersion


def entry_name(
    code: str, extension: str, *, translation: bool, valid_until: dt.date | None = None
) -> str:
    if translation:
        return f"{code}.translation.{extension}"
    # The validity date rides in the name, as the import needs it to read the file back.
    if valid_until is not None:
        return f"{code}.{valid_until.isoformat()}.{extension}"
    return f"{code}.{extension}"


def bundle_filename(application: Application) -> str:
    return f"{application.reference}.zip"


def _entries(application: Application, rows: Sequence[ChecklistRow]) -> list[BundleEntry]:
    """The current, servable version of every document: checklist order first, then others."""
    ordered = [doc for row in rows for doc in (row.document, row.translation) if doc is not None]
    seen = {doc.pk for doc in ordered}
    ordered += [
        doc
        for doc in Document.objects.filter(application=application)
        .select_related("current_version")
        .order_by("requirement_code", "translation_of_id")
        if doc.pk not in seen
    ]
    entries = []
    for document in ordered:
        version = document.current_version
        if version is None or not version.servable:
            continue
        entries.append(
            BundleEntry(
                name=entry_name(
                    document.requirement_code,
                    version.extension,
                    translation=document.is_translation,
                    valid_until=document.valid_until,
                ),
                requirement_code=document.requirement_code,
                translation=document.is_translation,
                version=version,
            )
        )
    return entries


def render_summary(
    application: Application,
    rows: Sequence[ChecklistRow],
    entries: Sequence[BundleEntry],
    *,
    generated_at: dt.datetime,
) -> bytes:
    from weasyprint import HTML  # heavy import, only for the bundle

    language = (get_language() or "fr")[:2]
    context: dict[str, Any] = {
        "application": application,
        "candidate": application.candidate,
        "programme": application.programme,
        "rows": [
            {
                "row": row,
                "label": row.item.label.get(language) if hasattr(row.item, "label") else row.code,
            }
            for row in rows
        ],
        "entries": entries,
        "generated_at": generated_at,
        "language": language,
    }
    html = render_to_string("documents/bundle_summary.html", context)
    return bytes(HTML(string=html).write_pdf())


def write_bundle(
    application: Application,
    out: IO[bytes],
    *,
    checklist_items: Sequence[Any] | None = None,
) -> list[BundleEntry]:
    """Write the ZIP of `application` to `out`; returns what it holds besides the summary."""
    items = application_checklist(application) if checklist_items is None else checklist_items
    rows = checklist_with_states(application, items)
    entries = _entries(application, rows)
    summary = render_summary(application, rows, entries, generated_at=timezone.now())
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(SUMMARY_NAME, summary, compress_type=zipfile.ZIP_DEFLATED)
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=_zip_time(entry.version.created_at))
            info.compress_type = zipfile.ZIP_STORED  # PDF and JPEG are compressed already
            info.external_attr = 0o600 << 16
            with (
                storage.open_file(entry.version.file.name or "") as source,
                archive.open(info, "w", force_zip64=entry.version.size > 2**31) as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
    return entries


def bundle_file(application: Application, request: HttpRequest | None = None) -> IO[bytes]:
    """The ZIP in a temporary file (in memory up to 8 MB), rewound, for a response to stream.

    With the `request` that asks for it, staff's download of each document is logged.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed on
    entries = write_bundle(application, spool)
    if request is not None:
        read = [(entry.version, entry.requirement_code, entry.translation) for entry in entries]
        record_access(request, application=application, read=read, kind=AccessKind.BUNDLE)
    spool.seek(0)
    return spool


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
