"""Staff judge each document of a sent file: accepted, or rejected with a reason to replace it."""

from __future__ import annotations

from django.db import transaction
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
from admissions.documents.services import document_event, move, requirement_for
from admissions.notify.file_emails import send_document_rejected
from admissions.people.models import User


def _reviewable(document: Document, by: User) -> Application:
    application = history.lock_application(document.application)
    if not access.is_officer_on(by, application):
        raise NotYourDocumentError(_("You are not an admissions officer of this programme."))
    if history.is_draft(application) or history.is_closed(application):
        raise DocumentLockedError(
            _("Documents are reviewed once the file is sent, and until it is closed."),
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
