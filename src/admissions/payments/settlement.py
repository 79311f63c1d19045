"""Money received for a charge line: record it, and raise an issue when it does not fit.

Every way money comes in (bank transfer, card, a transfer staff assign by hand) goes
through `settle`, so partial, excess, duplicate and after-withdrawal payments are caught the
same way. The payment is always recorded (the money is in the account); what is odd about it
becomes a `PaymentIssue` for a finance officer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from admissions.applications.models import Application
from admissions.payments import history, ledger
from admissions.payments.models import (
    BankStatementEntry,
    IssueKind,
    LedgerEntry,
    Method,
    Outcome,
    PaymentIssue,
)
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind


@dataclass(frozen=True)
class Settlement:
    payment: LedgerEntry
    outcome: Outcome
    issue: PaymentIssue | None
    already_recorded: bool = False


def raise_issue(
    *,
    institution_id: int,
    kind: IssueKind,
    amount_cents: int,
    by: User | None,
    application_id: int | None = None,
    currency: str = "EUR",
    excess_cents: int = 0,
    charge_kind: str = "",
    instalment: int | None = None,
    reference: str = "",
    payer: str = "",
    payment: LedgerEntry | None = None,
    bank_entry: BankStatementEntry | None = None,
) -> PaymentIssue:
    issue = PaymentIssue.objects.create(
        institution_id=institution_id,
        application_id=application_id,
        kind=kind,
        amount_cents=amount_cents,
        currency=currency,
        excess_cents=excess_cents,
        charge_kind=charge_kind,
        instalment=instalment,
        reference=reference[:140],
        payer=payer[:140],
        payment=payment,
        bank_entry=bank_entry,
    )
    if application_id is not None:
        history.record(
            Application.objects.get(pk=application_id),
            action="payment.issue_raised",
            by=by,
            details={
                "issue_id": issue.pk,
                "kind": kind.value,
                "amount_cents": amount_cents,
                "excess_cents": excess_cents,
            },
        )
    return issue


def settle(
    application_id: int,
    *,
    charge_kind: ChargeKind | str,
    instalment: int | None,
    amount_cents: int,
    method: Method,
    external_id: str,
    by: User | None,
    reference: str = "",
    note: str = "",
    payer: str = "",
    bank_entry: BankStatementEntry | None = None,
) -> Settlement:
    """Record `amount_cents` received on a line and say how it fits what was owed."""
    existing = ledger.recorded_as(external_id)
    if existing is not None:
        return Settlement(existing, Outcome.MATCHED, None, already_recorded=True)
    with transaction.atomic():
        application = history.lock_application(application_id)
        outstanding = ledger.line_of(application_id, charge_kind, instalment).outstanding
        payment = ledger.record_payment(
            application_id,
            charge_kind=ChargeKind(charge_kind),
            instalment=instalment,
            amount_cents=amount_cents,
            method=method,
            by=by,
            external_id=external_id,
            reference=reference[:40],
            note=note,
        )
        if history.is_withdrawn(application):
            outcome, kind, excess = Outcome.WITHDRAWN, IssueKind.WITHDRAWN, amount_cents
        elif outstanding <= 0:
            outcome, kind, excess = Outcome.DUPLICATE, IssueKind.DUPLICATE, amount_cents
        elif amount_cents < outstanding:
            outcome, kind, excess = Outcome.PARTIAL, IssueKind.PARTIAL, 0
        elif amount_cents > outstanding:
            outcome, kind, excess = Outcome.EXCESS, IssueKind.EXCESS, amount_cents - outstanding
        else:
            return Settlement(payment, Outcome.MATCHED, None)
        issue = raise_issue(
            institution_id=application.programme.institution_id,
            application_id=application_id,
            kind=kind,
            amount_cents=amount_cents,
            excess_cents=excess,
            charge_kind=str(charge_kind),
            instalment=instalment,
            reference=reference,
            payer=payer,
            payment=payment,
            bank_entry=bank_entry,
            by=by,
        )
    return Settlement(payment, outcome, issue)
