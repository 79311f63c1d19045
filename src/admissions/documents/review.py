"""Staff judge each document of a sent file: accepted, or rejected with a reason to replace it.

They may also ask for a piece the file never had (one the checklist did not ask of this
candidate, or one refused on arrival): the candidate then sends it like a rejected one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.documents import access, history
from admissions.documents.errors import (
    DocumentLockedError,
    InvalidDocumentInputError,
    NotYourDocumentError,
)
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.documents.services import document_event, locked_slot, move, requirement_for
from admissions.notify.file_emails import send_document_rejected, send_document_requested
from admissions.people.models import User


def _reviewable(document: Document, by: User) -> Application:
    application = history.lock_application(document.application)
    return _reviewable_file(application, by)


def _reviewable_file(application: Application, by: User) -> Application:
    if not access.is_officer_on(by, application):
        raise NotYourDocumentError(_("You are not an admissions officer of this programme."))
    if history.is_draft(application) or history.is_closed(application):
        raise DocumentLockedError(
            _("Documents are reviewed once the file is sent, and until it is closed."),
            details={"status": application.status},
        )
    if history.is_awaiting_fee(application):
        # Only complete files, documents and fee, are studied.
        raise DocumentLockedError(
            _(
                "The application fee of this file is not received yet: its documents are "
                "reviewed once it is."
            ),
            details={"status": application.status},
        )
    return application


def accept_document(document: Document, *, by: User) -> Document:
    with transaction.atomic():
        application = _reviewable(document, by)
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.state == DocumentState.ACCEPTED_BY_STAFF:
            return locked
        before, after = move(locked, "accepted_by_staff")
        locked.staff_reason = ""
        locked.save()
        document_event(
            application, "accepted_by_staff", by, locked, **{"from": before, "to": after}
        )
    return locked


def reject_document(document: Document, *, by: User, reason: str) -> Document:
    reason = reason.strip()
    if not reason:
        raise InvalidDocumentInputError(
            _("Say why the document is rejected: the candidate reads it to replace it."),
            details={"field": "reason"},
        )
    with transaction.atomic():
        application = _reviewable(document, by)
        locked = Document.objects.select_for_update().get(pk=document.pk)
        before, after = move(locked, "rejected_by_staff")
        locked.staff_reason = reason
        locked.save()
        event = document_event(
            application,
            "rejected_by_staff",
            by,
            locked,
            **{"from": before, "to": after, "reason": reason},
        )
        send_document_rejected(
            application,
            event=f"event:{event.pk}",
            label=requirement_for(application, locked.requirement_code).label,
            code=locked.requirement_code,
            reason=reason,
        )
    return locked


def request_document(
    application: Application, requirement_code: str, *, by: User, reason: str
) -> Document:
    """Ask the candidate for a piece the file holds no good copy of, saying why."""
    reason = reason.strip()
    if not reason:
        raise InvalidDocumentInputError(
            _("Say why the document is asked for: the candidate reads it."),
            details={"field": "reason"},
        )
    with transaction.atomic():
        locked_application = _reviewable_file(history.lock_application(application), by)
        requirement = requirement_for(locked_application, requirement_code)
        if requirement.provided_by != "candidate" or requirement.typed:
            raise InvalidDocumentInputError(
                _("The candidate does not send this document."),
                details={"field": "requirement"},
            )
        document = locked_slot(locked_application, requirement.code, translation=False)
        if document.state_enum == DocumentState.REQUESTED_BY_STAFF:
            return document
        if document.current_version_id is not None:
            raise DocumentLockedError(
                _("This document has a file: reject it with a reason to have it replaced."),
                details={"state": document.state},
            )
        before, after = move(document, "requested_by_staff")
        document.staff_reason = reason
        document.save()
        event = document_event(
            locked_application,
            "requested_by_staff",
            by,
            document,
            **{"from": before, "to": after, "reason": reason},
        )
        send_document_requested(
            locked_application,
            event=f"event:{event.pk}",
            label=requirement.label,
            code=requirement.code,
            reason=reason,
        )
    return document


def askable(application: Application) -> list[tuple[str, str]]:
    """The pieces a candidate sends that the file holds no file for: (code, label)."""
    language = get_language() or "fr"
    held = set(
        Document.objects.filter(
            application=application, translation_of=None, current_version__isnull=False
        ).values_list("requirement_code", flat=True)
    )
    return [
        (requirement.code, requirement.label.get(language))
        for requirement in application.rules.documents.requirements
        if requirement.provided_by == "candidate"
        and not requirement.typed
        and requirement.code not in held
    ]
