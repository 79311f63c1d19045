"""Submission: a complete, paid file sent before the candidate's deadline is locked for review."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.eligibility import frozen_record
from admissions.applications.errors import (
    ApplicationLockedError,
    DeadlinePassedError,
    NotReadyError,
)
from admissions.applications.history import transition
from admissions.applications.lifecycle import SUBMITTED_STATUSES, Status
from admissions.applications.models import Application
from admissions.applications.queue_facts import queue_facts
from admissions.core import faults
from admissions.documents.status import application_checklist, checklist_with_states
from admissions.notify.file_emails import SentDocument, send_submission_receipt
from admissions.payments import ledger
from admissions.people.models import User
from admissions.people.profile import CandidateProfile
from admissions.workflow import checks
from admissions.workflow.declared_transfers import SETTLED
from admissions.workflow.drafts import locked_for


def submit(application: Application, *, by: User, now: dt.datetime | None = None) -> Application:
    """Send a complete, paid file before the candidate's deadline; freezes its eligibility.

    A file whose fee transfer is declared but not matched yet goes to "submitted, fee
    awaited" instead. Submitting a file already submitted changes nothing (two clicks make
    one event).
    """
    moment = now or timezone.now()
    with transaction.atomic():
        locked = locked_for(application, by)
        if locked.status in SUBMITTED_STATUSES:
            application.refresh_from_db()
            return application
        if locked.status != Status.DRAFT:
            raise ApplicationLockedError(
                _("This application is “%(status)s”: it cannot be submitted.")
                % {"status": Status(locked.status).label},
                details={"status": locked.status},
            )
        report = checks.run_checks(locked, now=moment)
        deadline = report.first(checks.Code.DEADLINE_PASSED)
        if deadline is not None:
            raise DeadlinePassedError(
                deadline.message, details={"deadline": report.deadline.isoformat()}
            )
        if not report.ready:
            raise NotReadyError(
                _("The application cannot be submitted yet: %(count)d problem(s) to fix.")
                % {"count": len(report.problems)},
                details={"problems": report.as_data()},
            )
        locked.eligibility = frozen_record(report.assessment, at=moment)
        for name, value in _queue_columns(locked).items():
            setattr(locked, name, value)
        locked.save(update_fields=["eligibility", *QUEUE_COLUMNS, "updated_at"])
        # The checks passed: the fee is settled, or its transfer declared.
        fee = ledger.fee_status(locked.pk)
        paid = fee in SETTLED or fee == ledger.FeeStatus.NOT_CHARGED
        transition(
            locked,
            action="submit" if paid else "submit_awaiting_fee",
            by=by,
            details={"route": locked.eligibility.get("route") or ""},
        )
        locked.refresh_from_db()
        send_submission_receipt(
            locked, event=f"application:{locked.pk}:submitted", documents=documents_sent(locked)
        )
        faults.point("submission.before_commit")
    application.refresh_from_db()
    return application


QUEUE_COLUMNS = ("entry_route", "eu_national", "lives_abroad", "sort_name")


def _queue_columns(application: Application) -> dict[str, object]:
    """What the staff's queue filters on, as the file stands when it is sent."""
    candidate = application.candidate
    profile = CandidateProfile.objects.filter(user_id=candidate.pk).first()
    return queue_facts(
        eligibility=application.eligibility,
        nationality=profile.nationality if profile else "",
        residence_country=profile.residence_country if profile else "",
        family_name=(profile.family_name if profile else "") or candidate.last_name,
        given_names=(profile.given_names if profile else "") or candidate.first_name,
        email=candidate.email,
    )


def documents_sent(application: Application) -> list[SentDocument]:
    """Every document the file holds, each translation after its original."""
    sent: list[SentDocument] = []
    for row in checklist_with_states(application, application_checklist(application)):
        for document, translation in ((row.document, False), (row.translation, True)):
            version = document.current_version if document is not None else None
            if version is not None:
                sent.append(SentDocument(row.item.label, version.original_filename, translation))
    return sent
