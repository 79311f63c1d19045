"""The moves on supporting documents: upload, scan again, review, delete, ask a translation.

Every function takes the acting user, locks the application row before deciding (so that a
submission and an upload never cross), writes the file's history through
`applications.history.record_event`, and leaves storage and database agreeing whatever
fails: a file that passed its checks is written once, to its final key, just before the
transaction that creates its version, and any failure deletes what was written (a process
killed in between leaves a file no row names, which the upkeep sweeps).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.models import Application, ApplicationEvent
from admissions.core import compiled, faults
from admissions.documents import access, history, reads, storage
from admissions.documents.errors import (
    DocumentLockedError,
    InvalidDocumentInputError,
    NotYourDocumentError,
    UnknownRequirementError,
)
from admissions.documents.intake import (
    Checked,
    Infected,
    ScanOutcome,
    check_file,
    measure,
    sha256_of,
)
from admissions.documents.lifecycle import ASKED_BY_STAFF, DocumentState, can_move, target_of
from admissions.documents.models import Document, DocumentVersion, QuarantinedFile, ScanStatus
from admissions.documents.refusals import Refusal, RefusalCode, render
from admissions.documents.signals import document_changed
from admissions.documents.sniffing import CONTENT_TYPES, EXTENSIONS
from admissions.notify.staff_emails import send_infected_upload
from admissions.people.models import User
from admissions.rules.schema import DocumentRequirement, Text
from admissions.rules.vocabulary import FeeDue, TranslationPolicy

logger = logging.getLogger(__name__)

# States in which a candidate may still replace a document of a file sent back to them.
REPLACEABLE_WHEN_INCOMPLETE = frozenset(
    {DocumentState.MISSING, DocumentState.REFUSED_ON_ARRIVAL, *ASKED_BY_STAFF}
)
# The document's columns that adding a version may change (`add_version`).
VERSION_COLUMNS = (
    "state",
    "state_changed_at",
    "current_version",
    "valid_until",
    "refusal_code",
    "refusal_params",
    "staff_reason",
    "foreign_language",
    "number",
)
SCAN_STATUSES = {
    ScanOutcome.CLEAN: ScanStatus.CLEAN,
    ScanOutcome.NOT_SCANNED: ScanStatus.NOT_SCANNED,
    ScanOutcome.ERROR: ScanStatus.ERROR,
}


@dataclass(frozen=True)
class UploadResult:
    document: Document
    version: DocumentVersion | None = None
    refusal: Refusal | None = None

    @property
    def accepted(self) -> bool:
        return self.version is not None and self.version.scan_status != ScanStatus.ERROR

    @property
    def deferred(self) -> bool:
        return self.version is not None and self.version.scan_status == ScanStatus.ERROR

    @property
    def message(self) -> str:
        if self.refusal is not None:
            return self.refusal.message
        if self.deferred:
            return _(
                "The file was received; the antivirus check could not run yet and will be "
                "done again shortly. You will see the result on this page."
            )
        return _("The file was received and passed the checks.")


# Looking things up ------------------------------------------------------------------------


def requirement_for(application: Application, code: str) -> DocumentRequirement:
    for requirement in application.rules.documents.requirements:
        if requirement.code == code:
            return requirement
    raise UnknownRequirementError(_("This file has no such document."), details={"code": code})


def translation_policy(application: Application) -> TranslationPolicy:
    return application.rules.documents.translation


def asks_translation(application: Application, requirement: DocumentRequirement) -> bool:
    """Whether a foreign-language version of this document needs a translation."""
    return requirement.translatable and translation_policy(application) != TranslationPolicy.NONE


def clean_filename(name: str) -> str:
    """The last part of a client-given name, without control characters, at most 200 chars."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(char for char in base if char.isprintable()).strip()
    return base[-200:] or "file"


# Who may do what ------------------------------------------------------------------------


def check_may_upload(
    by: User, application: Application, requirement: DocumentRequirement, document: Document | None
) -> None:
    if access.is_officer_on(by, application):
        if history.is_closed(application):
            raise DocumentLockedError(_("This file is closed: its documents can no longer change."))
        return
    if not access.is_owner(by, application):
        raise NotYourDocumentError(_("This application is not yours."))
    if requirement.provided_by != "candidate":
        raise DocumentLockedError(_("This document is added by the admissions office."))
    if history.is_draft(application):
        return
    state = document.state_enum if document is not None else DocumentState.MISSING
    if history.is_sent_back(application) and state in REPLACEABLE_WHEN_INCOMPLETE:
        return
    # On condition: the piece the office asks again (the obtained diploma) is sent.
    if history.is_on_condition(application) and state in ASKED_BY_STAFF:
        return
    # What registration asks (the CVEC attestation) is sent once admitted.
    if requirement.due != FeeDue.APPLICATION and history.is_registering(application):
        return
    raise DocumentLockedError(
        _("Your application was sent: this document can no longer be changed."),
        details={"status": application.status},
    )


def check_validity(
    requirement: DocumentRequirement, valid_until: dt.date | None, today: dt.date
) -> None:
    if not requirement.needs_validity_date:
        return
    if valid_until is None:
        raise InvalidDocumentInputError(
            render(RefusalCode.VALIDITY_REQUIRED, {}), details={"field": "valid_until"}
        )
    if valid_until < today:
        raise InvalidDocumentInputError(
            render(RefusalCode.EXPIRED, {"date": valid_until.isoformat()}),
            details={"field": "valid_until"},
        )


NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]{2,38}[A-Za-z0-9]$")


def check_number(requirement: DocumentRequirement, number: str) -> str:
    """The number typed with the file, when the rulebook asks one (the CVEC attestation's)."""
    if requirement.number_label is None:
        return ""
    number = " ".join(number.split())
    if not number:
        raise InvalidDocumentInputError(
            _("Give the number written on the document."), details={"field": "number"}
        )
    if not NUMBER.match(number):
        raise InvalidDocumentInputError(
            _("This number is not valid: type it as written on the document (letters, digits)."),
            details={"field": "number"},
        )
    return number


# Slots --------------------------------------------------------------------------------


def find_document(
    application: Application, code: str, *, translation: bool = False
) -> Document | None:
    original = reads.original_document(application.pk, code)
    if not translation or original is None:
        return original
    return Document.objects.filter(translation_of=original).first()


@dataclass(frozen=True)
class Slot:
    document: Document
    created: bool  # by this call, under the lock: no version and no translation of it yet


def locked_slot(application: Application, code: str, *, translation: bool) -> Document:
    """The document to fill, created as missing if needed; call under the application lock."""
    return open_slot(application, code, translation=translation).document


def open_slot(application: Application, code: str, *, translation: bool) -> Slot:
    """`locked_slot`, telling whether the document was created by this call."""
    original = reads.original_document(application.pk, code, locked=True)
    if not translation:
        if original is None:
            created = Document(application=application, requirement_code=code)
            compiled.insert(created)  # the statement `save` runs, compiled once per process
            return Slot(created, created=True)
        return Slot(original, created=False)
    slot = (
        Document.objects.select_for_update().filter(translation_of=original).first()
        if original is not None
        else None
    )
    if slot is None:
        raise InvalidDocumentInputError(
            _(
                "No translation is asked for this document: mark it as written in a foreign "
                "language first."
            ),
            details={"field": "translation"},
        )
    return Slot(slot, created=False)


def move(document: Document, action: str) -> tuple[str, str]:
    before = document.state
    document.state = target_of(before, action)
    if document.state != before:
        document.state_changed_at = timezone.now()
    return before, document.state


def document_event(
    application: Application,
    action: str,
    by: User | None,
    document: Document,
    **details: Any,
) -> ApplicationEvent:
    event = history.record(
        application,
        action=f"document.{action}",
        by=by,
        details={
            "document": document.pk,
            "requirement": document.requirement_code,
            "translation": document.is_translation,
            **details,
        },
    )
    document_changed.send(
        sender=Document, application=application, document=document, action=action, by=by
    )
    return event


# Uploading ----------------------------------------------------------------------------


def upload_document(
    *,
    application: Application,
    requirement_code: str,
    stream: IO[bytes],
    filename: str,
    by: User,
    translation: bool = False,
    valid_until: dt.date | None = None,
    foreign_language: bool | None = None,
    today: dt.date | None = None,
    number: str = "",
    judged: bool = False,
) -> UploadResult:
    """Check a file and, if it passes, make it the document's new version.

    A file refused on arrival is not kept: the refusal is recorded (code, name, size, hash)
    and told to the caller. An infected file goes to quarantine and the officers are told.
    Input that is wrong rather than the file (no validity date, an expired one) raises
    InvalidDocumentInputError before anything is stored.
    `judged`: the caller made `check_may_upload` on this file and document just before (the
    API, before it reads the body), so it is not made again before the checks; the one under
    the lock, which decides, always is.
    """
    requirement = requirement_for(application, requirement_code)
    if not judged:
        check_may_upload(
            by,
            application,
            requirement,
            find_document(application, requirement_code, translation=translation),
        )
    if not translation:
        check_validity(requirement, valid_until, today or timezone.localdate())
        number = check_number(requirement, number)
    name = clean_filename(filename)
    size = measure(stream)
    if size == 0 or size > requirement.max_bytes:
        # Refused before it reaches storage at all.
        refusal = (
            Refusal(RefusalCode.EMPTY)
            if size == 0
            else Refusal(RefusalCode.TOO_LARGE, size=size, limit=requirement.max_bytes)
        )
        return record_refusal(
            application, requirement_code, translation, refusal, by, filename=name, size=size
        )
    # The checks read the request's own copy of the file: storage is written once, with
    # a file that passed them, under its final key.
    try:
        checked = check_file(stream, requirement=requirement)
    except Infected as infected:
        return _quarantine(application, requirement_code, translation, infected, by, name, stream)
    except Refusal as refusal:
        return record_refusal(
            application,
            requirement_code,
            translation,
            refusal,
            by,
            filename=name,
            size=size,
            sha256=sha256_of(stream),
        )
    return _commit_version(
        application=application,
        requirement=requirement,
        translation=translation,
        checked=checked,
        stream=stream,
        filename=name,
        by=by,
        valid_until=None if translation else valid_until,
        foreign_language=None if translation else foreign_language,
        number=None if translation else number,
    )


def _commit_version(
    *,
    application: Application,
    requirement: DocumentRequirement,
    translation: bool,
    checked: Checked,
    stream: IO[bytes],
    filename: str,
    by: User,
    valid_until: dt.date | None,
    foreign_language: bool | None,
    number: str | None = None,
) -> UploadResult:
    written: list[str] = []
    try:
        # Written before the lock is taken: SQLite's writer waits for no file's bytes.
        file_key = store_checked(stream, checked, written)
        with transaction.atomic():
            locked = history.lock_application(application)
            slot = open_slot(locked, requirement.code, translation=translation)
            document = slot.document
            check_may_upload(by, locked, requirement, document)
            if foreign_language is not None:
                document.foreign_language = foreign_language
            if number is not None and requirement.number_label is not None:
                document.number = number
            version = add_version(
                locked,
                document,
                checked,
                file_key,
                filename=filename,
                by=by,
                valid_until=valid_until,
                first=slot.created,
            )
            if not translation:
                sync_translation(locked, requirement, document, by, alone=slot.created)
            faults.point("upload.before_commit")
    except BaseException:
        storage.delete_quietly(*written)
        raise
    return UploadResult(document=document, version=version)


def store_checked(stream: IO[bytes], checked: Checked, written: list[str]) -> str:
    """Write a file that passed its checks under a fresh key of `documents/`; returns the key.

    The key is appended to `written` before anything is written, so that the caller can
    delete what a failure (here or later, before the version's row is committed) leaves.
    """
    key = storage.new_key(storage.DOCUMENTS, EXTENSIONS[checked.kind])
    written.append(key)
    stored = storage.write_to(key, stream)
    if stored != key:
        written.append(stored)
    return stored


def add_version(
    application: Application,
    document: Document,
    checked: Checked,
    file_key: str,
    *,
    filename: str,
    by: User,
    valid_until: dt.date | None,
    first: bool = False,
) -> DocumentVersion:
    """Make the checked file stored at `file_key` (`store_checked`) a version of `document`.

    Call inside a transaction holding the application lock.
    `first`: the document was created in this transaction, so it has no version yet.
    """
    version = DocumentVersion(
        document=document,
        number=1 if first else _next_number(document),
        file=file_key,
        original_filename=filename,
        size=checked.size,
        sha256=checked.sha256,
        detected_type=checked.kind.value,
        content_type=CONTENT_TYPES[checked.kind],
        page_count=checked.pages,
        width=checked.width,
        height=checked.height,
        scan_status=SCAN_STATUSES[checked.scan],
        scan_detail=checked.scan_detail[:255],
        scanned_at=timezone.now() if checked.scan == ScanOutcome.CLEAN else None,
        valid_until=valid_until,
        uploaded_by=by,
    )
    compiled.insert(version)
    if version.scan_status == ScanStatus.ERROR:
        _defer(application, document, version, by)
    else:
        make_current(application, document, version, by)
    # Only the columns a new version changes (`make_current`, `_defer`, and the language
    # flag and number the upload sets): the others hold what was read under the lock.
    compiled.update(document, VERSION_COLUMNS)
    return version


def _next_number(document: Document) -> int:
    highest = document.versions.aggregate(top=Max("number"))["top"]
    return (highest or 0) + 1


def version_details(version: DocumentVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "filename": version.original_filename,
        "size": version.size,
        "sha256": version.sha256,
        "type": version.detected_type,
        "scan": version.scan_status,
    }


def make_current(
    application: Application, document: Document, version: DocumentVersion, by: User | None
) -> None:
    before, after = move(document, "uploaded")
    document.current_version = version
    document.valid_until = version.valid_until
    document.refusal_code = ""
    document.refusal_params = {}
    document.staff_reason = ""
    document_event(
        application,
        "uploaded",
        by,
        document,
        **{"from": before, "to": after},
        **version_details(version),
    )


def _defer(
    application: Application, document: Document, version: DocumentVersion, by: User | None
) -> None:
    details = version_details(version) | {"detail": version.scan_detail}
    if can_move(document.state, "scan_deferred"):
        before, after = move(document, "scan_deferred")
        details |= {"from": before, "to": after}
    document_event(application, "scan_deferred", by, document, **details)


def record_refusal(
    application: Application,
    code: str,
    translation: bool,
    refusal: Refusal,
    by: User,
    *,
    filename: str,
    size: int,
    sha256: str = "",
) -> UploadResult:
    """Record a file refused on arrival; the state changes only where no good file was."""
    requirement = requirement_for(application, code)
    with transaction.atomic():
        locked = history.lock_application(application)
        document = locked_slot(locked, code, translation=translation)
        check_may_upload(by, locked, requirement, document)
        details: dict[str, Any] = {
            "reason": refusal.code.value,
            "params": refusal.params,
            "filename": filename,
            "size": size,
            "sha256": sha256,
        }
        if can_move(document.state, "refused_on_arrival"):
            before, after = move(document, "refused_on_arrival")
            document.refusal_code = refusal.code.value
            document.refusal_params = refusal.params
            document.save()
            details |= {"from": before, "to": after}
        document_event(locked, "refused_on_arrival", by, document, **details)
    return UploadResult(document=document, refusal=refusal)


def _quarantine(
    application: Application,
    code: str,
    translation: bool,
    infected: Infected,
    by: User,
    filename: str,
    stream: IO[bytes],
) -> UploadResult:
    quarantine_key = storage.new_key(storage.QUARANTINE)
    try:
        quarantine_key = storage.write_to(quarantine_key, stream)
        with transaction.atomic():
            locked = history.lock_application(application)
            document = locked_slot(locked, code, translation=translation)
            quarantined = QuarantinedFile.objects.create(
                application=locked,
                requirement_code=code,
                storage_key=quarantine_key,
                original_filename=filename,
                size=measure(stream),
                sha256=sha256_of(stream),
                signature=infected.signature[:255],
                uploaded_by=by,
            )
            record_infection(locked, document, quarantined, by)
    except BaseException:
        storage.delete_quietly(quarantine_key)
        raise
    return UploadResult(document=document, refusal=infected)


def record_infection(
    application: Application, document: Document, quarantined: QuarantinedFile, by: User | None
) -> None:
    details: dict[str, Any] = {
        "reason": RefusalCode.INFECTED.value,
        "signature": quarantined.signature,
        "filename": quarantined.original_filename,
        "size": quarantined.size,
        "sha256": quarantined.sha256,
        "quarantined": quarantined.pk,
    }
    if can_move(document.state, "refused_on_arrival"):
        before, after = move(document, "refused_on_arrival")
        document.refusal_code = RefusalCode.INFECTED.value
        document.refusal_params = {"signature": quarantined.signature}
        document.save()
        details |= {"from": before, "to": after}
    event = document_event(application, "infected", by, document, **details)
    # In the transaction that quarantined the file: an alert never tells of a file not kept.
    send_infected_upload(
        application,
        event=f"event:{event.pk}",
        document=_label(application, quarantined.requirement_code),
        filename=quarantined.original_filename,
        signature=quarantined.signature,
        sha256=quarantined.sha256,
    )
    logger.warning(
        "infected upload quarantined: application %s, %s (%s)",
        application.reference,
        quarantined.requirement_code,
        quarantined.signature,
    )


def _label(application: Application, code: str) -> Text | str:
    try:
        return requirement_for(application, code).label
    except UnknownRequirementError:
        return code


# Deleting and translations ----------------------------------------------------------------


def delete_document(document: Document, *, by: User) -> None:
    """The candidate removes a document and all its versions, before the file is sent."""
    with transaction.atomic():
        application = history.lock_application(document.application)
        if not access.is_owner(by, application):
            raise NotYourDocumentError(_("This application is not yours."))
        if not history.is_draft(application):
            raise DocumentLockedError(
                _("Your application was sent: its documents can no longer be deleted."),
                details={"status": application.status},
            )
        locked = Document.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None:
            return
        keys = _file_keys(locked)
        details = {"versions": locked.versions.count(), "from": locked.state}
        document_event(application, "deleted", by, locked, **details)
        locked.delete()
        transaction.on_commit(lambda: storage.delete_quietly(*keys))


def _file_keys(document: Document) -> list[str]:
    documents = [document]
    translation = Document.objects.filter(translation_of=document).first()
    if translation is not None:
        documents.append(translation)
    return [
        name
        for name in DocumentVersion.objects.filter(document__in=documents).values_list(
            "file", flat=True
        )
        if name
    ]


def set_foreign_language(document: Document, *, foreign: bool, by: User) -> Document:
    """Mark a document as written in a foreign language, which asks for its translation."""
    with transaction.atomic():
        application = history.lock_application(document.application)
        requirement = requirement_for(application, document.requirement_code)
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_translation:
            raise InvalidDocumentInputError(_("A translation is not itself translated."))
        check_may_upload(by, application, requirement, locked)
        if locked.foreign_language == foreign:
            return locked
        locked.foreign_language = foreign
        locked.save()
        sync_translation(application, requirement, locked, by)
    return locked


def sync_translation(
    application: Application,
    requirement: DocumentRequirement,
    document: Document,
    by: User,
    *,
    alone: bool = False,
) -> None:
    """Create or withdraw the translation slot so that it follows the language flag.

    `alone`: the document was created in this transaction, so no translation points to it.
    """
    needed = document.foreign_language and asks_translation(application, requirement)
    existing = None if alone else Document.objects.filter(translation_of=document).first()
    if needed and existing is None:
        translation = Document.objects.create(
            application=application,
            requirement_code=document.requirement_code,
            translation_of=document,
        )
        document_event(
            application,
            "translation_requested",
            by,
            translation,
            policy=translation_policy(application).value,
        )
    elif not needed and existing is not None:
        if existing.versions.exists() and not history.is_draft(application):
            raise DocumentLockedError(
                _("Your application was sent: its translation can no longer be withdrawn.")
            )
        keys = _file_keys(existing)
        document_event(application, "translation_withdrawn", by, existing)
        existing.delete()
        transaction.on_commit(lambda: storage.delete_quietly(*keys))
