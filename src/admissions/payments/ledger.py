"""The one writer of ledger entries, and the balances computed from them.

Every entry written here also writes the application's history and keeps the invariants:
amounts are positive cents; a refund never gives back more than was paid on its charge
line; a write-off never exceeds what is still owed; a reversal undoes one payment at most
once. Moves that check an invariant lock the application row first, so two concurrent
requests cannot both pass the check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Sum, Value, When
from django.db.models import F as Field
from django.utils.translation import gettext as _

from admissions.applications.history import Batch
from admissions.applications.models import Application
from admissions.core import compiled, faults
from admissions.notify.money_emails import send_payment_received
from admissions.payments import fee_totals, history
from admissions.payments.errors import LedgerError
from admissions.payments.models import (
    CHARGE_LABELS,
    SIGN,
    EntryKind,
    LedgerEntry,
    Method,
    charge_label,
)
from admissions.payments.receipts import issue_receipt
from admissions.payments.references import new_creditor_reference, new_creditor_references
from admissions.payments.signals import payment_recorded
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind

_SIGNED = Case(
    When(
        kind__in=[EntryKind.CHARGE, EntryKind.REFUND, EntryKind.REVERSAL],
        then=Field("amount_cents"),
    ),
    default=Value(-1) * Field("amount_cents"),
    output_field=IntegerField(),
)


class FeeStatus(StrEnum):
    NOT_CHARGED = "not_charged"
    DUE = "due"
    PAID = "paid"
    WAIVED = "waived"


@dataclass
class ChargeLine:
    """What one charge (one instalment of tuition) stands at."""

    charge_kind: str
    instalment: int | None
    charged: int = 0
    paid: int = 0  # payments less reversals
    refunded: int = 0
    written_off: int = 0
    creditor_reference: str = ""
    due_on: dt.date | None = None

    @property
    def outstanding(self) -> int:
        """Still owed; negative when more was paid than charged."""
        return self.charged - self.paid + self.refunded - self.written_off

    @property
    def refundable(self) -> int:
        """Money received on this line and not yet given back."""
        return self.paid - self.refunded

    @property
    def label(self) -> str:
        label = str(CHARGE_LABELS.get(self.charge_kind, self.charge_kind))
        return f"{label} ({self.instalment})" if self.instalment else label

    @property
    def key(self) -> str:
        return f"{self.charge_kind}:{self.instalment or 0}"


def _line_key(charge_kind: str, instalment: int | None) -> tuple[str, int]:
    return (str(charge_kind), instalment or 0)


def lines(application_id: int) -> list[ChargeLine]:
    """Every charge line of the application, in the order charges were made."""
    result: dict[tuple[str, int], ChargeLine] = {}
    entries = LedgerEntry.objects.filter(application_id=application_id).order_by("created_at", "id")
    for entry in entries:
        key = _line_key(entry.charge_kind, entry.instalment)
        line = result.setdefault(key, ChargeLine(entry.charge_kind, entry.instalment))
        _add(line, entry)
    return list(result.values())


def lines_for(application_ids: list[int]) -> dict[int, dict[str, ChargeLine]]:
    """The charge lines of many files in one query, by application id then line key."""
    result: dict[int, dict[str, ChargeLine]] = {pk: {} for pk in application_ids}
    entries = LedgerEntry.objects.filter(application_id__in=application_ids).order_by(
        "created_at", "id"
    )
    for entry in entries:
        per_file = result.setdefault(entry.application_id, {})
        line = ChargeLine(entry.charge_kind, entry.instalment)
        line = per_file.setdefault(line.key, line)
        _add(line, entry)
    return result


def charged_line(
    application_id: int, charge_kind: str, instalment: int | None
) -> ChargeLine | None:
    """A line something was charged on, as a payer names it; None for any other."""
    if charge_kind not in {kind.value for kind in ChargeKind}:
        return None
    line = line_of(application_id, charge_kind, instalment)
    return line if line.charged > 0 else None


def line_of(application_id: int, charge_kind: str, instalment: int | None) -> ChargeLine:
    line = ChargeLine(str(charge_kind), instalment)
    entries = LedgerEntry.objects.filter(
        application_id=application_id, charge_kind=charge_kind, instalment=instalment
    ).order_by("created_at", "id")
    for entry in entries:
        _add(line, entry)
    return line


def _add(line: ChargeLine, entry: LedgerEntry) -> None:
    kind = EntryKind(entry.kind)
    if kind == EntryKind.CHARGE:
        line.charged += entry.amount_cents
        line.creditor_reference = line.creditor_reference or (entry.creditor_reference or "")
        line.due_on = line.due_on or entry.due_on
    elif kind == EntryKind.PAYMENT:
        line.paid += entry.amount_cents
    elif kind == EntryKind.REVERSAL:
        line.paid -= entry.amount_cents
    elif kind == EntryKind.REFUND:
        line.refunded += entry.amount_cents
    else:
        line.written_off += entry.amount_cents


def balance_cents(application_id: int, charge_kind: ChargeKind | None = None) -> int:
    """What the candidate still owes (negative: what they paid too much)."""
    entries = LedgerEntry.objects.filter(application_id=application_id)
    if charge_kind is not None:
        entries = entries.filter(charge_kind=charge_kind)
    total = entries.aggregate(total=Sum(_SIGNED))["total"]
    return int(total or 0)


def fee_status(application_id: int) -> FeeStatus:
    """Where the application fee stands; submission needs it PAID or WAIVED."""
    return fee_statuses([application_id])[application_id]


def fee_statuses(application_ids: list[int]) -> dict[int, FeeStatus]:
    """`fee_status` of many files in one query, by application id."""
    lines = {pk: ChargeLine(ChargeKind.APPLICATION_FEE, None) for pk in application_ids}
    for entry in LedgerEntry.objects.filter(
        application_id__in=application_ids, charge_kind=ChargeKind.APPLICATION_FEE
    ):
        _add(lines[entry.application_id], entry)
    return {pk: _fee_status_of(line) for pk, line in lines.items()}


def fee_status_and_line(application_id: int) -> tuple[FeeStatus, ChargeLine]:
    """`fee_status` and `line_of` the fee without instalment, from one read of its entries."""
    whole = ChargeLine(ChargeKind.APPLICATION_FEE, None)
    line = ChargeLine(str(ChargeKind.APPLICATION_FEE), None)
    entries = LedgerEntry.objects.filter(
        application_id=application_id, charge_kind=ChargeKind.APPLICATION_FEE
    ).order_by("created_at", "id")
    for entry in entries:
        _add(whole, entry)
        if entry.instalment is None:
            _add(line, entry)
    return _fee_status_of(whole), line


def _fee_status_of(line: ChargeLine) -> FeeStatus:
    if not line.charged:
        return FeeStatus.NOT_CHARGED
    if line.outstanding > 0:
        return FeeStatus.DUE
    return FeeStatus.PAID if line.paid - line.refunded > 0 else FeeStatus.WAIVED


def _positive(amount_cents: int) -> None:
    if amount_cents <= 0:
        raise LedgerError(_("An amount must be more than zero."), code="amount_not_positive")


def _details(entry: LedgerEntry) -> dict[str, object]:
    details: dict[str, object] = {
        "entry_id": entry.pk,
        "charge_kind": entry.charge_kind,
        "amount_cents": entry.amount_cents,
    }
    if entry.instalment:
        details["instalment"] = entry.instalment
    if entry.method:
        details["method"] = entry.method
    if entry.note:
        details["note"] = entry.note
    return details


def charge(
    application_id: int,
    *,
    charge_kind: ChargeKind,
    amount_cents: int,
    by: User | None,
    reference: str = "",
    instalment: int | None = None,
    note: str = "",
    due_on: dt.date | None = None,
    held: Application | None = None,
    creditor_reference: str = "",
    batch: Batch | None = None,
    new_file: bool = False,
) -> LedgerEntry:
    """Charge the candidate; the charge gets its own RF creditor reference for transfers.

    `held` is the file's row when the caller's transaction holds it already (it created or
    locked it): it is not read and locked again, and a failure fails the caller's whole
    transaction. `creditor_reference` is one the caller took before its first write (on
    PostgreSQL a sequence is then found without a look-up, see core/sequences.py). With
    `batch` (and `held`), the history line and the fee totals are left to the caller's batch.
    `new_file` says the caller's transaction created the file (it has no balance yet). With
    `batch` and `held` both, nothing is written here: the entry goes with the batch too
    (`Batch.insert`), and the charge may be made before the caller's transaction.
    """
    _positive(amount_cents)

    def made() -> LedgerEntry:
        return LedgerEntry(
            application_id=application_id,
            kind=EntryKind.CHARGE,
            charge_kind=charge_kind,
            amount_cents=amount_cents,
            reference=reference,
            creditor_reference=creditor_reference or new_creditor_reference(),
            instalment=instalment,
            due_on=due_on,
            note=note,
            created_by=by,
        )

    if batch is not None and held is not None:
        entry = made()
        batch.insert(entry)
        _charged(held, entry, by=by, batch=batch, new_file=new_file)
        return entry
    with transaction.atomic(savepoint=held is None):
        application = held or history.lock_application(application_id)
        entry = made()
        compiled.insert(entry)  # the statement `save` runs, compiled once per process
        _charged(application, entry, by=by, batch=batch, new_file=new_file)
    return entry


def _charged(
    application: Application,
    entry: LedgerEntry,
    *,
    by: User | None,
    batch: Batch | None,
    new_file: bool,
) -> None:
    """The history line and the fee totals of a charge written, or left to `batch`."""
    details = _details(entry)
    details["creditor_reference"] = entry.creditor_reference
    if batch is not None:
        batch.event(application, action="payment.charged", by=by, details=details)
        batch.total(partial(fee_totals.entered_on, application, entry, new_file=new_file))
        return
    history.record(application, action="payment.charged", by=by, details=details)
    fee_totals.entered_on(application, entry, new_file=new_file)


@dataclass(frozen=True)
class Charge:
    """One charge of `charge_many`."""

    application_id: int
    charge_kind: ChargeKind
    amount_cents: int
    instalment: int | None = None
    due_on: dt.date | None = None


def charge_many(charges: list[Charge], *, by: User | None) -> list[LedgerEntry]:
    """The charges and history lines `charge` writes one by one, in three statements.

    The caller holds the files' rows (`select_for_update`), as `charge` takes each one.
    """
    for item in charges:
        _positive(item.amount_cents)
    references = new_creditor_references(len(charges))
    with transaction.atomic():
        entries = LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    application_id=item.application_id,
                    kind=EntryKind.CHARGE,
                    charge_kind=item.charge_kind,
                    amount_cents=item.amount_cents,
                    reference="",
                    creditor_reference=reference,
                    instalment=item.instalment,
                    due_on=item.due_on,
                    note="",
                    created_by=by,
                )
                for item, reference in zip(charges, references, strict=True)
            ],
            batch_size=1000,
        )
        fee_totals.entered(entries, fee_totals.places_of({e.application_id for e in entries}))
        history.record_many(
            [
                (
                    entry.application_id,
                    "payment.charged",
                    {**_details(entry), "creditor_reference": entry.creditor_reference},
                )
                for entry in entries
            ],
            by=by,
        )
    return entries


def recorded_as(external_id: str | None) -> LedgerEntry | None:
    """The entry already recorded under a provider's or bank's id, if any."""
    if not external_id:
        return None
    return LedgerEntry.objects.filter(external_id=external_id).first()


def record_payment(
    application_id: int,
    *,
    charge_kind: ChargeKind,
    amount_cents: int,
    method: Method,
    by: User | None,
    external_id: str | None = None,
    reference: str = "",
    note: str = "",
    instalment: int | None = None,
) -> LedgerEntry:
    """Record money received and issue its receipt.

    With an `external_id` (the provider's or bank's id) the call is idempotent: the same
    id a second time returns the first entry and records nothing.
    """
    _positive(amount_cents)
    existing = recorded_as(external_id)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            application = history.lock_application(application_id)
            entry = LedgerEntry.objects.create(
                application_id=application_id,
                kind=EntryKind.PAYMENT,
                charge_kind=charge_kind,
                instalment=instalment,
                amount_cents=amount_cents,
                method=method,
                external_id=external_id or None,
                reference=reference,
                note=note,
                created_by=by,
            )
            receipt = issue_receipt(entry, application=application)
            details = _details(entry)
            details["receipt"] = receipt.display_number
            history.record(application, action="payment.received", by=by, details=details)
            fee_totals.entered_on(application, entry)
            send_payment_received(
                application,
                event=f"entry:{entry.pk}",
                amount_cents=entry.amount_cents,
                charge=charge_label(entry.charge_kind, entry.instalment),
                receipt_number=receipt.display_number,
            )
            faults.point("payment.before_commit")
            transaction.on_commit(
                lambda: payment_recorded.send(
                    sender=LedgerEntry, entry=entry, application_id=application_id
                )
            )
    except IntegrityError:
        # The same external id raced in from a second delivery: the first one stands.
        existing = recorded_as(external_id)
        if existing is not None:
            return existing
        raise
    return entry


def record_refund(
    application_id: int,
    *,
    charge_kind: ChargeKind | str,
    amount_cents: int,
    method: Method | str,
    by: User | None,
    instalment: int | None = None,
    note: str = "",
    external_id: str | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Give money back; refused when it is more than what was paid on the charge line."""
    _positive(amount_cents)
    with transaction.atomic():
        application = history.lock_application(application_id)
        line = line_of(application_id, charge_kind, instalment)
        if amount_cents > line.refundable:
            raise LedgerError(
                _("A refund cannot exceed what was paid on this charge (%(cents)s cents).")
                % {"cents": line.refundable},
                code="refund_exceeds_paid",
                details={"refundable_cents": line.refundable},
            )
        entry = LedgerEntry.objects.create(
            application_id=application_id,
            kind=EntryKind.REFUND,
            charge_kind=charge_kind,
            instalment=instalment,
            amount_cents=amount_cents,
            method=method,
            external_id=external_id or None,
            reverses=reverses,
            note=note,
            created_by=by,
        )
        history.record(application, action="payment.refunded", by=by, details=_details(entry))
        fee_totals.entered_on(application, entry)
    return entry


def refund_charge(
    application_id: int,
    *,
    charge_kind: ChargeKind | str,
    amount_cents: int,
    method: Method | str,
    by: User | None,
    instalment: int | None = None,
    note: str = "",
) -> LedgerEntry:
    """Give back money for a charge the rulebook refunds: that part is no longer owed.

    Unlike money returned because it was not owed (an excess, a duplicate), the charge
    itself is refunded: the refund is followed by a write-off of the same amount (at most
    what the refund leaves owed), so the line is settled rather than owed again.
    """
    with transaction.atomic():
        refund = record_refund(
            application_id,
            charge_kind=charge_kind,
            amount_cents=amount_cents,
            method=method,
            by=by,
            instalment=instalment,
            note=note,
        )
        owed = line_of(application_id, charge_kind, instalment).outstanding
        if min(amount_cents, owed) > 0:
            write_off(
                application_id,
                charge_kind=charge_kind,
                amount_cents=min(amount_cents, owed),
                by=by,
                instalment=instalment,
                note=note,
            )
    return refund


def write_off(
    application_id: int,
    *,
    charge_kind: ChargeKind | str,
    amount_cents: int,
    by: User | None,
    instalment: int | None = None,
    note: str = "",
) -> LedgerEntry:
    """Cancel what is still owed on a line (a charge made in error, a waived fee)."""
    _positive(amount_cents)
    with transaction.atomic():
        application = history.lock_application(application_id)
        line = line_of(application_id, charge_kind, instalment)
        if amount_cents > line.outstanding:
            raise LedgerError(
                _("A write-off cannot exceed what is still owed on this charge."),
                code="write_off_exceeds_due",
                details={"outstanding_cents": line.outstanding},
            )
        entry = LedgerEntry.objects.create(
            application_id=application_id,
            kind=EntryKind.WRITE_OFF,
            charge_kind=charge_kind,
            instalment=instalment,
            amount_cents=amount_cents,
            note=note,
            created_by=by,
        )
        history.record(application, action="payment.written_off", by=by, details=_details(entry))
        fee_totals.entered_on(application, entry)
    return entry


def reverse_payment(payment: LedgerEntry, *, by: User | None, note: str) -> LedgerEntry:
    """Undo a payment the bank took back (a rejected direct debit), once."""
    if payment.kind != EntryKind.PAYMENT:
        raise LedgerError(_("Only a payment can be reversed."), code="not_a_payment")
    with transaction.atomic():
        application = history.lock_application(payment.application_id)
        if LedgerEntry.objects.filter(reverses=payment, kind=EntryKind.REVERSAL).exists():
            raise LedgerError(_("This payment was already reversed."), code="already_reversed")
        line = line_of(payment.application_id, payment.charge_kind, payment.instalment)
        if payment.amount_cents > line.refundable:
            raise LedgerError(
                _("This payment was refunded in part; settle the refund before reversing it."),
                code="reversal_exceeds_paid",
            )
        entry = LedgerEntry.objects.create(
            application_id=payment.application_id,
            kind=EntryKind.REVERSAL,
            charge_kind=payment.charge_kind,
            instalment=payment.instalment,
            amount_cents=payment.amount_cents,
            method=payment.method,
            reverses=payment,
            note=note,
            created_by=by,
        )
        details = _details(entry)
        details["reverses"] = payment.pk
        history.record(application, action="payment.reversed", by=by, details=details)
        fee_totals.entered_on(application, entry)
    return entry


def signed_sum(entries: list[LedgerEntry]) -> int:
    return sum(SIGN[EntryKind(entry.kind)] * entry.amount_cents for entry in entries)
