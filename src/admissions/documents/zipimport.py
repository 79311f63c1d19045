"""Importing a ZIP of supporting documents received by email, all or nothing.

Each entry is mapped to a requirement by its name (docs/documents.md):

    <code>.<ext>                          the document
    <code>.<YYYY-MM-DD>.<ext>             with its validity date, where one is needed
    <code>.translation.<ext>              its translation ("traduction" also read)

Folders inside the archive are ignored, as are the `__MACOSX/`, `.DS_Store` and `Thumbs.db`
leftovers of desktop archivers, and the `summary.pdf` the platform puts at the top of a
downloaded bundle, so that a bundle can be imported again as it is. The archive is refused
as a whole, with one line per problem, when an entry's path could escape a folder (zip
slip), when sizes or compression ratios point to a zip bomb, when an entry is itself an
archive or not of an allowed type, or when any file fails the checks on arrival. Nothing
is created until every entry passed; then all versions are created in one transaction, and
storage is cleaned if that fails.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.core.errors import DomainError
from admissions.documents import access, history, storage
from admissions.documents.bundle import SUMMARY_NAME
from admissions.documents.intake import Checked, check_file
from admissions.documents.models import Document, DocumentVersion
from admissions.documents.refusals import Refusal, RefusalCode
from admissions.documents.services import (
    add_version,
    check_may_upload,
    check_validity,
    find_document,
    locked_slot,
    requirement_for,
    store_checked,
    sync_translation,
)
from admissions.documents.sniffing import LABELS, sniff
from admissions.documents.zipnames import decode_names
from admissions.people.models import User
from admissions.rules.schema import DocumentRequirement

IGNORED_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
TRANSLATION_WORDS = frozenset({"translation", "traduction"})
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
READ_BYTES = 256 * 1024
SPOOL_BYTES = 4 * 1024 * 1024
DEFAULTS = {
    "DOCUMENTS_IMPORT_MAX_ENTRIES": 50,
    "DOCUMENTS_IMPORT_MAX_TOTAL_BYTES": 200 * 1024 * 1024,
    "DOCUMENTS_IMPORT_MAX_RATIO": 100,
}


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


@dataclass(frozen=True)
class Problem:
    entry: str  # the name inside the archive, "" for the archive itself
    code: str  # stable: a refusal code of the arrival checks, or one of the import's own
    message: str


@dataclass(frozen=True)
class Planned:
    """An entry that names a requirement, before its content is read."""

    info: zipfile.ZipInfo
    requirement: DocumentRequirement
    translation: bool
    valid_until: dt.date | None


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    imported: list[tuple[str, DocumentVersion]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def refuse(self, entry: str, code: str, message: str) -> None:
        self.problems.append(Problem(entry, code, message))


def may_import(user: User, application: Application) -> bool:
    """Staff managing the file's documents while it is open; its candidate on a draft, where
    the rulebook asks for every document in one ZIP."""
    if access.is_officer_on(user, application):
        return not history.is_closed(application)
    return (
        access.is_owner(user, application)
        and history.is_draft(application)
        and application.rules.documents.bundle == "single_zip"
    )


def import_zip(
    application: Application,
    archive: IO[bytes],
    *,
    by: User,
    today: dt.date | None = None,
) -> ImportReport:
    """Import every document of `archive` into `application`, or nothing and say why."""
    report = ImportReport()
    day = today or timezone.localdate()
    try:
        opened = zipfile.ZipFile(archive)
    # NotImplementedError: a member needing a newer ZIP version than Python reads.
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        report.refuse("", "not_a_zip", _("This file is not a readable ZIP archive."))
        return report
    with opened:
        decode_names(opened)
        planned = _plan(application, opened, report, by=by, today=day)
        if not report.ok:
            return report
        checked = _check_entries(opened, planned, report)
        if not report.ok:
            _discard(checked)
            return report
    _commit(application, checked, report, by=by)
    return report


# Reading the directory, before any content ----------------------------------------------


def _plan(
    application: Application,
    archive: zipfile.ZipFile,
    report: ImportReport,
    *,
    by: User,
    today: dt.date,
) -> list[Planned]:
    entries = archive.infolist()
    if len(entries) > limit("DOCUMENTS_IMPORT_MAX_ENTRIES"):
        report.refuse(
            "",
            "too_many_entries",
            _("The archive holds %(count)s entries; at most %(limit)s are read.")
            % {"count": len(entries), "limit": limit("DOCUMENTS_IMPORT_MAX_ENTRIES")},
        )
        return []
    declared_total = 0
    planned: list[Planned] = []
    targets: dict[tuple[str, bool], str] = {}
    for info in entries:
        name = info.filename
        unsafe = _unsafe_path(name)
        if unsafe:
            report.refuse(name, "unsafe_path", unsafe)
            continue
        if info.is_dir():
            continue
        path = PurePosixPath(name)
        if (
            "__MACOSX" in path.parts
            or path.name.lower() in IGNORED_NAMES
            or _is_bundle_summary(application, name)
        ):
            report.ignored.append(name)
            continue
        if info.flag_bits & 0x1:
            report.refuse(
                name, "encrypted_entry", _("This entry is encrypted; send it without a password.")
            )
            continue
        declared_total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limit("DOCUMENTS_IMPORT_MAX_RATIO"):
            report.refuse(
                name,
                "zip_bomb",
                _(
                    "This entry expands %(ratio)d times when unpacked, as a zip "
                    "bomb does; it is not read."
                )
                % {"ratio": ratio},
            )
            continue
        mapped = _map(application, path.name, report, name)
        if mapped is None:
            continue
        requirement, translation, valid_until = mapped
        key = (requirement.code, translation)
        if key in targets:
            report.refuse(
                name,
                "duplicate",
                _("Two entries are meant for the same document (%(other)s).")
                % {"other": targets[key]},
            )
            continue
        targets[key] = name
        if info.file_size > requirement.max_bytes:
            too_large = Refusal(RefusalCode.TOO_LARGE, limit=requirement.max_bytes)
            report.refuse(name, too_large.code.value, too_large.message)
            continue
        try:
            check_may_upload(
                by,
                application,
                requirement,
                find_document(application, requirement.code, translation=translation),
            )
            if not translation:
                check_validity(requirement, valid_until, today)
        except DomainError as error:
            report.refuse(name, error.code, str(error.message))
            continue
        planned.append(Planned(info, requirement, translation, valid_until))
    if declared_total > limit("DOCUMENTS_IMPORT_MAX_TOTAL_BYTES"):
        report.refuse(
            "",
            "total_too_large",
            _("The archive unpacks to more than %(limit)s MB; split it.")
            % {"limit": limit("DOCUMENTS_IMPORT_MAX_TOTAL_BYTES") // (1024 * 1024)},
        )
    for item in planned:
        if (
            item.translation
            and (item.requirement.code, False) not in targets
            and not _already_foreign(application, item.requirement.code)
        ):
            report.refuse(
                item.info.filename,
                "translation_without_document",
                _("A translation comes with its document: add the document itself to the archive."),
            )
    if not planned and report.ok:
        report.refuse("", "empty_archive", _("The archive holds no document."))
    # Originals before translations, so that a translation finds its document's slot.
    return sorted(planned, key=lambda item: (item.translation, item.requirement.code))


def _is_bundle_summary(application: Application, name: str) -> bool:
    """The summary a downloaded bundle starts with, unless the rulebook asks for a "summary"."""
    if name.lower() != SUMMARY_NAME:
        return False
    codes = {r.code for r in application.rules.documents.requirements}
    return PurePosixPath(SUMMARY_NAME).stem not in codes


def _unsafe_path(name: str) -> str:
    """Why an entry name could write outside a folder if unpacked; "" when it is safe."""
    problem = _("This entry's path leaves the archive's folder (zip slip); it is refused.")
    if not name or "\x00" in name or "\\" in name:
        return problem
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return problem
    if any(part == ".." for part in name.split("/")):
        return problem
    return ""


def _map(
    application: Application, basename: str, report: ImportReport, name: str
) -> tuple[DocumentRequirement, bool, dt.date | None] | None:
    """The requirement, translation flag and validity date a file name stands for."""
    parts = basename.lower().split(".")
    if len(parts) < 2:
        report.refuse(
            name, "no_extension", _("The name has no extension: name it <document>.pdf or .jpg.")
        )
        return None
    code, words = parts[0], parts[1:-1]
    try:
        requirement = requirement_for(application, code)
    except DomainError:
        known = ", ".join(r.code for r in application.rules.documents.requirements)
        report.refuse(
            name,
            "unknown_document",
            _("“%(code)s” is not a document of this file; expected one of: %(known)s.")
            % {"code": code, "known": known},
        )
        return None
    translation = False
    valid_until: dt.date | None = None
    for word in words:
        if word in TRANSLATION_WORDS:
            translation = True
        elif DATE.match(word):
            try:
                valid_until = dt.date.fromisoformat(word)
            except ValueError:
                report.refuse(
                    name, "bad_date", _("“%(word)s” is not a real date.") % {"word": word}
                )
                return None
        else:
            report.refuse(
                name,
                "unknown_word",
                _("“%(word)s” in the name is not understood: see the naming convention.")
                % {"word": word},
            )
            return None
    if requirement.needs_validity_date and not translation and valid_until is None:
        report.refuse(
            name,
            "validity_in_name",
            _("This document needs its validity date in its name, for example %(example)s.")
            % {"example": f"{requirement.code}.2030-12-31.pdf"},
        )
        return None
    return requirement, translation, valid_until


def _already_foreign(application: Application, code: str) -> bool:
    return Document.objects.filter(
        application=application,
        requirement_code=code,
        translation_of__isnull=True,
        foreign_language=True,
    ).exists()


# Reading and checking the content -------------------------------------------------------


@dataclass
class Ready:
    item: Planned
    spool: IO[bytes]
    checked: Checked | None = None


def _check_entries(
    archive: zipfile.ZipFile, planned: list[Planned], report: ImportReport
) -> list[Ready]:
    ready: list[Ready] = []
    budget = limit("DOCUMENTS_IMPORT_MAX_TOTAL_BYTES")
    for item in planned:
        name = item.info.filename
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - kept
        entry = Ready(item=item, spool=spool)
        ready.append(entry)
        cap = min(item.info.file_size, item.requirement.max_bytes, budget)
        try:
            written = _bounded_copy(archive, item.info, spool, cap)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            report.refuse(name, "damaged_entry", _("This entry is damaged and cannot be unpacked."))
            continue
        if written is None:
            report.refuse(
                name,
                "size_lie",
                _(
                    "This entry unpacks to more than its declared size, as a "
                    "zip bomb does; it is not read."
                ),
            )
            continue
        budget -= written
        sniffed = sniff(spool)
        if sniffed.is_archive:
            report.refuse(
                name,
                "nested_archive",
                _("This entry is itself an archive (%(kind)s); put the files directly in the ZIP.")
                % {"kind": LABELS[sniffed.kind]},
            )
            continue
        try:
            entry.checked = check_file(spool, requirement=item.requirement)
        except Refusal as refusal:
            report.refuse(name, refusal.code.value, refusal.message)
    return ready


def _bounded_copy(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: IO[bytes], cap: int
) -> int | None:
    """Unpack at most `cap` bytes; None when the entry holds more (its header lied)."""
    written = 0
    with archive.open(info) as source:
        while chunk := source.read(READ_BYTES):
            written += len(chunk)
            if written > cap:
                return None
            target.write(chunk)
    target.seek(0)
    return written


def _discard(ready: list[Ready]) -> None:
    for entry in ready:
        entry.spool.close()


# Creating everything at once -------------------------------------------------------------


def _commit(
    application: Application, ready: list[Ready], report: ImportReport, *, by: User
) -> None:
    written: list[str] = []
    stored: list[str] = []
    try:
        # Each file written once, to its final key, before the lock is taken.
        for entry in ready:
            assert entry.checked is not None  # every entry passed, or nothing reaches here
            stored.append(store_checked(entry.spool, entry.checked, written))
        with transaction.atomic():
            locked = history.lock_application(application)
            for entry, file_key in zip(ready, stored, strict=True):
                item = entry.item
                assert entry.checked is not None
                if item.translation:
                    original = locked_slot(locked, item.requirement.code, translation=False)
                    if not original.foreign_language:
                        original.foreign_language = True
                        original.save()
                        sync_translation(locked, item.requirement, original, by)
                document = locked_slot(locked, item.requirement.code, translation=item.translation)
                check_may_upload(by, locked, item.requirement, document)
                version = add_version(
                    locked,
                    document,
                    entry.checked,
                    file_key,
                    filename=PurePosixPath(item.info.filename).name[-200:],
                    by=by,
                    valid_until=item.valid_until,
                )
                report.imported.append((item.info.filename, version))
            history.record(
                locked,
                action="document.imported",
                by=by,
                details={
                    "entries": [
                        {
                            "entry": name,
                            "requirement": version.document.requirement_code,
                            "version": version.number,
                            "sha256": version.sha256,
                        }
                        for name, version in report.imported
                    ]
                },
            )
    except BaseException:
        storage.delete_quietly(*written)
        report.imported.clear()
        raise
    finally:
        for entry in ready:
            entry.spool.close()
