"""The completeness check: each document accepted, or rejected with a reason to replace it.

A rejection sends the file back to the candidate ("documents to replace"), who replaces only
the rejected items. The file becomes complete when every required document is accepted by
the office and the application fee is paid; only then does the admissibility review start.
Judging one document is `documents.review`; this module moves the file on account of it.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.core.errors import IllegalTransition, ValidationFailed
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.documents.review import accept_document, reject_document
from admissions.documents.status import application_checklist, checklist_with_states
from admissions.payments import ledger
from admissions.people.models import User
from admissions.review import signals
from admissions.review.roles import COMPLETENESS, require
from admissions.rules.money import to_cents

# Statuses in which the office judges documents and the file can go back to the candidate.
UNDER_CHECK = frozenset({Status.SUBMITTED, Status.INCOMPLETE, Status.COMPLETE})


class RejectionReason(models.TextChoices):
    ILLEGIBLE = "illegible", gettext_lazy("Illegible or incomplete scan")
    WRONG_DOCUMENT = "wrong_document", gettext_lazy("Not the document asked for")
    EXPIRED = "expired", gettext_lazy("Expired or not valid on the start date")
    TRANSLATION = "translation", gettext_lazy("Certified translation missing")
    NOT_SIGNED = "not_signed", gettext_lazy("Not signed or not dated")
    OTHER = "other", gettext_lazy("Other (explained below)")


def reason_text(reason: RejectionReason | str, note: str, language: str = "fr") -> str:
    """The words the candidate reads, in their language: the reason's label, then the
    officer's own."""
    if reason not in RejectionReason.values:
        raise ValidationFailed(_("Choose a reason from the list."), details={"field": "reason"})
    chosen = RejectionReason(reason)
    note = note.strip()
    if chosen == RejectionReason.OTHER and not note:
        raise ValidationFailed(
            _("Explain the reason in your own words."), details={"field": "note"}
        )
    with translation.override(language):
        label = str(chosen.label)
        # Translatable: French puts a non-breaking space before the colon.
        return _("%(reason)s: %(note)s") % {"reason": label, "note": note} if note else label


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("campaign", "programme")
        .get(pk=application.pk)
    )


def _checkable(application: Application, by: User) -> Application:
    require(by, application, COMPLETENESS)
    locked = _lock(application)
    if locked.status not in UNDER_CHECK:
        raise IllegalTransition(
            _("Documents are checked while the file is submitted, incomplete or complete."),
            details={"status": locked.status},
        )
    return locked


def missing_for_completeness(application: Application) -> list[str]:
    """Codes of the required documents (and translations) not yet accepted by the office."""
    items = [i for i in application_checklist(application) if i.provided_by == "candidate"]
    # An optional document the candidate did not send never holds the file back.
    optional = {item.code for item in items if item.optional}
    missing = []
    for row in checklist_with_states(application, items):
        if row.code in optional and row.document is None:
            continue
        accepted = row.document is not None and row.state == DocumentState.ACCEPTED_BY_STAFF
        translated = row.translation is None or (
            row.translation.state == DocumentState.ACCEPTED_BY_STAFF
        )
        if not (accepted and translated):
            missing.append(row.code)
    return missing


def fee_settled(application: Application) -> bool:
    status = ledger.fee_status(application.pk)
    if status in (ledger.FeeStatus.PAID, ledger.FeeStatus.WAIVED):
        return True
    # A school without an application fee never charges one.
    fee = to_cents(application.rules.fees.application.amount)
    return status == ledger.FeeStatus.NOT_CHARGED and fee == 0


def accept(document: Document, *, by: User) -> Application:
    """Accept one document; the file becomes complete when it was the last one awaited."""
    with transaction.atomic():
        application = _checkable(document.application, by)
        accept_document(document, by=by)
        if application.status == Status.SUBMITTED:
            _complete_if_ready(application, by)
    application.refresh_from_db()
    return application


def reject(
    document: Document, *, by: User, reason: RejectionReason | str, note: str = ""
) -> Application:
    """Reject one document with a reason from the list; the file goes back to the candidate."""
    candidate = document.application.candidate
    text = reason_text(reason, note, candidate.preferred_language or "fr")
    with transaction.atomic():
        application = _checkable(document.application, by)
        reject_document(document, by=by, reason=text)
        # The rejection may have sent the file back already (`workflow.sent_back` follows
        # every document's change): move it here only if nothing did.
        application.refresh_from_db(fields=["status", "status_changed_at"])
        if application.status in (Status.SUBMITTED, Status.COMPLETE):
            transition(
                application,
                action="request_documents",
                by=by,
                details={"documents": [document.requirement_code], "reason": str(reason)},
            )
        signals.documents_rejected.send(
            sender=Application, application_id=application.pk, document_ids=[document.pk], by=by
        )
    application.refresh_from_db()
    return application


def mark_complete(application: Application, *, by: User) -> Application:
    """Declare the file complete; refused while a document or the fee is still awaited.

    Marking a complete file again changes nothing.
    """
    with transaction.atomic():
        locked = _checkable(application, by)
        if locked.status == Status.COMPLETE:
            return locked
        if locked.status == Status.INCOMPLETE:
            raise IllegalTransition(
                _("The candidate has not sent the documents to replace yet."),
                details={"status": locked.status},
            )
        missing = missing_for_completeness(locked)
        if missing:
            raise ValidationFailed(
                _("Not complete: some documents are not accepted yet."),
                details={"documents": missing},
            )
        if not fee_settled(locked):
            raise ValidationFailed(
                _("Not complete: the application fee is not paid."), details={"fee": "unpaid"}
            )
        _move_complete(locked, by)
    application.refresh_from_db()
    return application


def _complete_if_ready(application: Application, by: User) -> None:
    if not missing_for_completeness(application) and fee_settled(application):
        _move_complete(application, by)


def _move_complete(application: Application, by: User) -> None:
    transition(application, action="mark_complete", by=by)
    signals.file_complete.send(sender=Application, application_id=application.pk, by=by)
