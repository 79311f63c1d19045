"""The reminders the periodic jobs send: deadlines, documents to replace, places to confirm,
instalments due.

Each job selects by date and status, then queues its email with a key naming the deadline
and the reminder (7 days, 1 day...): a job run twice, late, or on two machines at once
queues each reminder once. A job that did not run for a while sends only the reminder that
is due now (one day before, not also the seven-day one).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from admissions.applications.deadline import candidate_deadline, facts_of
from admissions.applications.lifecycle import TERMINAL, Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents.errors import UnknownRequirementError
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.documents.services import requirement_for
from admissions.notify.context import language_of, speaking
from admissions.notify.decision_emails import send_confirmation_reminder
from admissions.notify.file_emails import send_draft_reminder, send_refused_items_reminder
from admissions.notify.models import Notification
from admissions.notify.money_emails import send_funding_reminder, send_instalment_due
from admissions.payments import ledger
from admissions.payments.models import CHARGE_LABELS, EntryKind, LedgerEntry, charge_label
from admissions.rules.deadlines import paris_date
from admissions.rules.schema import Text
from admissions.workflow import checks
from admissions.workflow.confirmation import (
    ADMITTED,
    CONFIRMED,
    admitted_at,
    confirmation_state,
    last_day,
)
from admissions.workflow.status import funding_request

DEADLINE_REMINDERS = (7, 1)  # days before the candidate's own deadline
INSTALMENT_REMINDERS = (7, 0)  # days before an instalment's due date (0: on the day)
FUNDING_REMINDERS = (7, 1)  # days before the last day to ask for a regional funding
REFUSED_REMINDER_AFTER = dt.timedelta(days=3)


def _new_since(first_id: int, kinds: Sequence[str]) -> int:
    return Notification.objects.filter(pk__gt=first_id, kind__in=list(kinds)).count()


def _last_id() -> int:
    return int(Notification.objects.aggregate(top=Max("pk"))["top"] or 0)


def _which(remaining: dt.timedelta, days: Sequence[int]) -> int | None:
    """The reminder due with `remaining` time left: the smallest number of days it fits."""
    if remaining <= dt.timedelta(0):
        return None
    return next((d for d in sorted(days) if remaining <= dt.timedelta(days=d)), None)


def _days_left(remaining: dt.timedelta) -> int:
    return max(1, math.ceil(remaining / dt.timedelta(days=1)))


def remind_deadlines(now: dt.datetime | None = None) -> int:
    """Drafts whose candidate's own deadline (the international one included) is near."""
    moment = now or timezone.now()
    first = _last_id()
    today = paris_date(moment)
    window = (today, today + dt.timedelta(days=max(DEADLINE_REMINDERS) + 1))
    drafts = (
        Application.objects.filter(status=Status.DRAFT)
        .filter(
            Q(campaign__closes_on__range=window) | Q(campaign__international_deadline__range=window)
        )
        .select_related("candidate", "campaign", "programme__institution", "programme__site")
        .order_by("pk")
    )
    for application in drafts:
        deadline = candidate_deadline(application.campaign, facts_of(application.candidate))
        offset = _which(deadline - moment, DEADLINE_REMINDERS)
        if offset is None:
            continue
        with speaking(language_of(application.candidate)):
            report = checks.run_checks(application, now=moment)
            to_do = [p.message for p in report.problems if p.code != checks.Code.DEADLINE_PASSED]
        with transaction.atomic():
            send_draft_reminder(
                application,
                event=f"deadline:{deadline.isoformat()}:{offset}d",
                deadline=last_day(deadline),
                days_left=_days_left(deadline - moment),
                to_do=to_do,
            )
    return _new_since(first, ["draft_reminder"])


def _label(application: Application, code: str) -> Text:
    try:
        return requirement_for(application, code).label
    except UnknownRequirementError:
        return Text(fr=code, en=code)


def remind_refused_documents(now: dt.datetime | None = None) -> int:
    """Files sent back with documents rejected days ago and still not replaced."""
    moment = now or timezone.now()
    first = _last_id()
    rejected = (
        Document.objects.filter(
            state=DocumentState.REJECTED_BY_STAFF,
            state_changed_at__lte=moment - REFUSED_REMINDER_AFTER,
        )
        .exclude(application__status__in=[*TERMINAL, Status.DRAFT])
        .select_related("application__candidate", "application__campaign", "application__programme")
        .order_by("application_id", "requirement_code")
    )
    by_file: dict[int, list[Document]] = defaultdict(list)
    for document in rejected:
        by_file[document.application_id].append(document)
    for documents in by_file.values():
        application = documents[0].application
        latest = max(document.state_changed_at for document in documents)
        with transaction.atomic():
            send_refused_items_reminder(
                application,
                event=f"refused:{latest.isoformat()}",
                documents=[
                    (_label(application, d.requirement_code), d.staff_reason) for d in documents
                ],
            )
    return _new_since(first, ["refused_items_reminder"])


def remind_confirmations(now: dt.datetime | None = None) -> int:
    """Admitted files whose time to confirm ends within the rulebook's `reminder_days`."""
    moment = now or timezone.now()
    first = _last_id()
    admitted = (
        Application.objects.filter(status__in=list(ADMITTED))
        .select_related("candidate", "campaign", "programme__institution", "programme__site")
        .order_by("pk")
    )
    for application in admitted:
        state = confirmation_state(application, now=moment)
        if state is None:
            continue
        reminder_days = application.campaign.rules.confirmation.reminder_days
        offset = _which(state.deadline - moment, reminder_days)
        if offset is None:
            continue
        unpaid = [
            (CHARGE_LABELS.get(amount.charge_kind, amount.charge_kind), amount.outstanding_cents)
            for amount in state.amounts
            if not amount.paid
        ]
        with transaction.atomic():
            send_confirmation_reminder(
                application,
                event=f"confirm:{admitted_at(application).isoformat()}:{offset}d",
                confirm_by=state.last_day,
                days_left=_days_left(state.deadline - moment),
                amounts=unpaid,
            )
    return _new_since(first, ["confirmation_reminder"])


def remind_instalments(now: dt.datetime | None = None) -> int:
    """Charges of confirmed places due within a week (then on the day), still owed."""
    moment = now or timezone.now()
    first = _last_id()
    today = paris_date(moment)
    charges = (
        LedgerEntry.objects.filter(
            kind=EntryKind.CHARGE,
            due_on__range=(today, today + dt.timedelta(days=max(INSTALMENT_REMINDERS))),
            application__status__in=list(CONFIRMED),
        )
        .select_related("application__candidate", "application__programme__institution")
        .order_by("due_on", "pk")
    )
    for charge in charges:
        assert charge.due_on is not None  # by the filter
        days_before = (charge.due_on - today).days
        offset = next((d for d in sorted(INSTALMENT_REMINDERS) if days_before <= d), None)
        if offset is None:
            continue
        line = ledger.line_of(charge.application_id, charge.charge_kind, charge.instalment)
        if line.outstanding <= 0:
            continue
        with transaction.atomic():
            send_instalment_due(
                charge.application,
                event=f"instalment:{charge.pk}:{charge.due_on.isoformat()}:{offset}d",
                amount_cents=line.outstanding,
                charge=charge_label(charge.charge_kind, charge.instalment),
                due_on=charge.due_on,
                reference=charge.creditor_reference or "",
            )
    return _new_since(first, ["instalment_due"])


def remind_funding_requests(now: dt.datetime | None = None) -> int:
    """Files on a regional funding whose request to the adviser is due in 7 days, then 1.

    Drafts count only while they can still be sent: a draft past its deadline has no place
    to fund.
    """
    moment = now or timezone.now()
    first = _last_id()
    today = paris_date(moment)
    alive = Application.objects.exclude(status__in=TERMINAL)
    for campaign in Campaign.objects.filter(pk__in=alive.values("campaign_id")).order_by("pk"):
        modes = {mode.code: mode for mode in campaign.rules.financing_modes if mode.region_funded}
        files = (
            alive.filter(campaign=campaign, financing_mode__in=list(modes))
            .select_related("candidate", "campaign", "programme__institution", "programme__site")
            .order_by("pk")
        )
        for application in files:
            funding = funding_request(application, today)
            if funding is None:
                continue
            days_before = (funding.by - today).days
            if days_before < 1:
                continue
            offset = next((d for d in sorted(FUNDING_REMINDERS) if days_before <= d), None)
            if offset is None:
                continue
            if application.status == Status.DRAFT and moment >= candidate_deadline(
                campaign, facts_of(application.candidate)
            ):
                continue
            mode = modes[application.financing_mode]
            with transaction.atomic():
                send_funding_reminder(
                    application,
                    event=f"funding:{application.pk}:{funding.by.isoformat()}:{offset}d",
                    funding=mode.label,
                    funder=mode.funder,
                    request_by=funding.by,
                    days_left=days_before,
                )
    return _new_since(first, ["funding_reminder"])
