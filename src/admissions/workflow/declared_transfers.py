"""Paying the application fee by bank transfer near the deadline: declare it, then submit.

Where the rulebook gives `fees.application.declared_transfer_days`, a candidate who made the
transfer says so (`declare_transfer`) and may submit at once: the file is "submitted, fee
awaited" (`submit_awaiting_fee`) and is not studied until the transfer is matched. When the
money is recorded (a bank statement matched, a finance officer's entry), the file moves on
to "submitted" (`receive_fee`). A declaration still unmatched after the rulebook's number of
days is flagged once, in the file's history: finance sees it in its list of transfers to
look for, and the candidate on the status and payments pages.

The declaration is the history event `application.fee_transfer_declared`; the flag is
`application.fee_transfer_unmatched`, recorded after it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.errors import ApplicationLockedError
from admissions.applications.history import record_event, transition
from admissions.applications.lifecycle import TERMINAL, Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.core.errors import DomainError
from admissions.notify.money_emails import send_transfer_unmatched
from admissions.notify.staff_emails import send_staff_transfer_unmatched
from admissions.payments import ledger
from admissions.payments.instructions import bank_details
from admissions.payments.signals import payment_recorded
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind, PaymentMethod
from admissions.workflow.drafts import locked_for

logger = logging.getLogger(__name__)

DECLARED = "application.fee_transfer_declared"
UNMATCHED = "application.fee_transfer_unmatched"
SETTLED = (ledger.FeeStatus.PAID, ledger.FeeStatus.WAIVED)


class DeclarationNotAllowedError(DomainError):
    code = "declaration_not_allowed"
    http_status = 409


@dataclass(frozen=True)
class Declaration:
    """A transfer the candidate says is made, and whether it is overdue."""

    at: dt.datetime
    creditor_reference: str
    amount_cents: int
    days: int  # the rulebook's number of days before it is flagged
    flagged_at: dt.datetime | None  # when it was flagged unmatched

    @property
    def flag_due_at(self) -> dt.datetime:
        return self.at + dt.timedelta(days=self.days)


def allowed_days(application: Application) -> int | None:
    """The rulebook's days, when this file's fee may be declared paid by transfer."""
    fee = application.rules.fees.application
    if PaymentMethod.BANK_TRANSFER not in fee.methods:
        return None
    return fee.declared_transfer_days


def declaration(
    application: Application, fee: ledger.FeeStatus | None = None
) -> Declaration | None:
    """The file's latest declared transfer while its fee is not settled, else None.

    `fee` is the fee's status when the caller has read it already.
    """
    days = allowed_days(application)
    if days is None or (fee or ledger.fee_status(application.pk)) in SETTLED:
        return None
    events = list(
        ApplicationEvent.objects.filter(
            application=application, action__in=(DECLARED, UNMATCHED)
        ).order_by("at", "id")
    )
    declared = next((e for e in reversed(events) if e.action == DECLARED), None)
    if declared is None:
        return None
    flagged = next(
        (e for e in events if e.action == UNMATCHED and (e.at, e.id) > (declared.at, declared.id)),
        None,
    )
    details = declared.details if isinstance(declared.details, dict) else {}
    return Declaration(
        at=declared.at,
        creditor_reference=str(details.get("creditor_reference") or ""),
        amount_cents=int(details.get("amount_cents") or 0),
        days=days,
        flagged_at=flagged.at if flagged is not None else None,
    )


def declare_transfer(application: Application, *, by: User) -> Declaration:
    """The candidate says the fee's transfer is made. Declaring twice records it once."""
    with transaction.atomic():
        locked = locked_for(application, by)
        if allowed_days(locked) is None:
            raise DeclarationNotAllowedError(
                _("This school does not take a declared transfer: submit once the fee is paid.")
            )
        if Status(locked.status) != Status.DRAFT:
            raise ApplicationLockedError(
                _("This application is already submitted."), details={"status": locked.status}
            )
        if ledger.fee_status(locked.pk) in SETTLED:
            raise DeclarationNotAllowedError(_("The application fee is already paid."))
        existing = declaration(locked)
        if existing is not None and existing.flagged_at is None:
            return existing
        line = ledger.line_of(locked.pk, ChargeKind.APPLICATION_FEE, None)
        record_event(
            locked,
            action=DECLARED,
            by=by,
            details={
                "creditor_reference": line.creditor_reference,
                "amount_cents": max(line.outstanding, 0),
            },
        )
        found = declaration(locked)
    assert found is not None
    return found


def receive_fee(application_id: int, *, by: User | None = None) -> bool:
    """Move a fee-awaited file on once its fee is settled; False when nothing changed."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application_id)
        if locked.status != Status.FEE_AWAITED:
            return False
        if ledger.fee_status(locked.pk) not in SETTLED:
            return False
        transition(locked, action="receive_fee", by=by)
    return True


def _on_payment(sender: object, *, entry: Any, application_id: int, **kwargs: Any) -> None:
    if entry.charge_kind != ChargeKind.APPLICATION_FEE:
        return
    try:
        receive_fee(application_id)
    except Exception:
        # The periodic sweep moves the file on later: a payment is never lost for this.
        logger.exception("fee received but file %s not moved on", application_id)


def flag_unmatched(now: dt.datetime | None = None) -> list[str]:
    """Flag the declared transfers still unmatched after the rulebook's days; references."""
    moment = now or timezone.now()
    flagged: list[str] = []
    candidates = (
        Application.objects.filter(events__action=DECLARED)
        .exclude(status__in=TERMINAL)
        .select_related("campaign")
        .distinct()
    )
    for application in candidates:
        found = declaration(application)
        if found is None or found.flagged_at is not None or found.flag_due_at > moment:
            continue
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            again = declaration(locked)
            if again is None or again.flagged_at is not None:
                continue
            flag = record_event(
                locked,
                action=UNMATCHED,
                by=None,
                details={
                    "declared_at": again.at.isoformat(),
                    "creditor_reference": again.creditor_reference,
                    "days": again.days,
                },
            )
            _tell_unmatched(locked, again, event=f"event:{flag.pk}")
        flagged.append(application.reference)
    return flagged


def _tell_unmatched(application: Application, declared: Declaration, *, event: str) -> None:
    """The candidate checks what they typed; the finance officers look for the money."""
    try:
        bank = bank_details(application.bank_account)
    except DomainError:
        bank = None  # the payments page says the school must be contacted
    send_transfer_unmatched(
        application,
        event=event,
        declared_at=declared.at,
        days=declared.days,
        amount_cents=declared.amount_cents,
        reference=declared.creditor_reference,
        iban=bank.iban if bank else "",
    )
    send_staff_transfer_unmatched(
        application,
        event=event,
        declared_at=declared.at,
        days=declared.days,
        amount_cents=declared.amount_cents,
        reference=declared.creditor_reference,
    )


def sweep_fee_awaited() -> list[str]:
    """Move on the fee-awaited files whose fee is settled (a missed signal, a write-off)."""
    moved = []
    for application in Application.objects.filter(status=Status.FEE_AWAITED):
        if receive_fee(application.pk):
            moved.append(application.reference)
    return moved


@dataclass(frozen=True)
class Unmatched:
    application: Application
    declaration: Declaration


def unmatched_declarations(applications: QuerySet[Application]) -> list[Unmatched]:
    """Those of `applications` whose declared transfer is flagged and still unmatched."""
    flagged = (
        applications.filter(events__action=UNMATCHED)
        .exclude(status__in=TERMINAL)
        .select_related("candidate", "candidate__profile", "programme", "campaign")
        .distinct()
    )
    found = []
    for application in flagged:
        declared = declaration(application)
        if declared is not None and declared.flagged_at is not None:
            found.append(Unmatched(application=application, declaration=declared))
    return found


def connect() -> None:
    payment_recorded.connect(_on_payment, dispatch_uid="workflow.declared_transfers")
