"""Closing the payment issues a finance officer looks at.

`models.RESOLUTIONS` says how each kind may be closed:

- partial: kept (the rest is still owed and shows on the file);
- excess, duplicate: kept as a credit, or refunded (the part not owed goes back);
- paid after withdrawal: kept, or refunded in full (and what is still owed on the line is
  written off, as the file is closed);
- unknown reference: assigned to a charge (recorded as a payment of it), or returned to the
  sender (it never entered the ledger).

Giving back money that was not owed is not a rulebook refund: the rulebook governs refunds
of charges, here nothing was due.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.payments import history, ledger
from admissions.payments.errors import IllegalMoveError, LedgerError
from admissions.payments.models import (
    RESOLUTIONS,
    EntryKind,
    IssueKind,
    IssueStatus,
    LedgerEntry,
    Method,
    PaymentIssue,
)
from admissions.payments.reconcile import external_id
from admissions.payments.settlement import settle
from admissions.people.models import User


def resolve_issue(
    issue: PaymentIssue,
    *,
    status: IssueStatus,
    by: User,
    note: str = "",
    charge: LedgerEntry | None = None,
) -> PaymentIssue:
    """Close an open issue the way its kind allows; `charge` names where to assign money."""
    with transaction.atomic():
        locked = PaymentIssue.objects.select_for_update().get(pk=issue.pk)
        if locked.status != IssueStatus.OPEN:
            raise IllegalMoveError(_("This issue is already closed."), code="issue_closed")
        if status not in RESOLUTIONS[locked.kind]:
            raise IllegalMoveError(
                _("This kind of issue cannot be closed that way."), code="resolution_not_allowed"
            )
        details: dict[str, object] = {"issue_id": locked.pk, "status": status.value}
        if status == IssueStatus.REFUNDED:
            details["refund_entry"] = _refund(locked, by=by, note=note).pk
        elif status == IssueStatus.ASSIGNED:
            details.update(_assign(locked, charge=charge, by=by))
        locked.status = status
        locked.resolved_at = timezone.now()
        locked.resolved_by = by
        locked.resolution_note = note
        locked.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_note"])
        if locked.application_id is not None:
            history.record(
                history.lock_application(locked.application_id),
                action="payment.issue_resolved",
                by=by,
                details=details,
            )
    return locked


def _refund(issue: PaymentIssue, *, by: User, note: str) -> LedgerEntry:
    payment = issue.payment
    if payment is None or issue.application_id is None:
        raise IllegalMoveError(_("Nothing was recorded for this issue."), code="nothing_recorded")
    line = ledger.line_of(issue.application_id, payment.charge_kind, payment.instalment)
    if issue.kind == IssueKind.WITHDRAWN:
        amount = payment.amount_cents
    else:
        # Only what is above the amount owed goes back, and never more than is held.
        amount = min(issue.excess_cents, -line.outstanding)
    if amount <= 0:
        raise LedgerError(
            _("Nothing is left to give back on this charge."), code="nothing_to_give_back"
        )
    refund = ledger.record_refund(
        issue.application_id,
        charge_kind=payment.charge_kind,
        instalment=payment.instalment,
        amount_cents=amount,
        method=payment.method or Method.BANK_TRANSFER,
        by=by,
        note=note or _("Money not owed, given back."),
        reverses=payment,
    )
    if issue.kind == IssueKind.WITHDRAWN:
        outstanding = ledger.line_of(
            issue.application_id, payment.charge_kind, payment.instalment
        ).outstanding
        if outstanding > 0:
            ledger.write_off(
                issue.application_id,
                charge_kind=payment.charge_kind,
                instalment=payment.instalment,
                amount_cents=outstanding,
                by=by,
                note=_("The application was withdrawn."),
            )
    return refund


def _assign(issue: PaymentIssue, *, charge: LedgerEntry | None, by: User) -> dict[str, object]:
    if charge is None or charge.kind != EntryKind.CHARGE:
        raise IllegalMoveError(_("Choose the charge this payment is for."), code="charge_required")
    if charge.application.programme.institution_id != issue.institution_id:
        raise IllegalMoveError(
            _("This charge belongs to another institution."), code="other_institution"
        )
    ref = issue.bank_entry.entry_ref if issue.bank_entry else f"issue-{issue.pk}"
    settlement = settle(
        charge.application_id,
        charge_kind=charge.charge_kind,
        instalment=charge.instalment,
        amount_cents=issue.amount_cents,
        method=Method.BANK_TRANSFER,
        external_id=external_id(issue.institution, ref),
        by=by,
        reference=charge.creditor_reference or "",
        payer=issue.payer,
        bank_entry=issue.bank_entry,
    )
    issue.application_id = charge.application_id
    issue.payment = settlement.payment
    issue.charge_kind = charge.charge_kind
    issue.instalment = charge.instalment
    issue.save(update_fields=["application", "payment", "charge_kind", "instalment"])
    if issue.bank_entry is not None:
        issue.bank_entry.outcome = settlement.outcome
        issue.bank_entry.payment = settlement.payment
        issue.bank_entry.save(update_fields=["outcome", "payment"])
    return {"payment_entry": settlement.payment.pk, "outcome": settlement.outcome.value}
