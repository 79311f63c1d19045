"""Balances computed from the ledger entries of an application."""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Case, IntegerField, Sum, Value, When
from django.db.models import F as Field

from admissions.payments.models import EntryKind, LedgerEntry, Method
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind

_SIGNED = Case(
    When(kind__in=[EntryKind.CHARGE, EntryKind.REFUND], then=Field("amount_cents")),
    default=Value(-1) * Field("amount_cents"),
    output_field=IntegerField(),
)


class FeeStatus(StrEnum):
    NOT_CHARGED = "not_charged"
    DUE = "due"
    PAID = "paid"
    WAIVED = "waived"


def balance_cents(application_id: int, charge_kind: ChargeKind | None = None) -> int:
    """What the candidate still owes (negative: what they paid too much)."""
    entries = LedgerEntry.objects.filter(application_id=application_id)
    if charge_kind is not None:
        entries = entries.filter(charge_kind=charge_kind)
    total = entries.aggregate(total=Sum(_SIGNED))["total"]
    return int(total or 0)


def fee_status(application_id: int) -> FeeStatus:
    entries = list(
        LedgerEntry.objects.filter(
            application_id=application_id, charge_kind=ChargeKind.APPLICATION_FEE
        ).values_list("kind", "amount_cents")
    )
    charged = sum(amount for kind, amount in entries if kind == EntryKind.CHARGE)
    if not charged:
        return FeeStatus.NOT_CHARGED
    balance = sum(
        amount if kind in (EntryKind.CHARGE, EntryKind.REFUND) else -amount
        for kind, amount in entries
    )
    if balance > 0:
        return FeeStatus.DUE
    paid = sum(amount for kind, amount in entries if kind == EntryKind.PAYMENT)
    return FeeStatus.PAID if paid else FeeStatus.WAIVED


def charge(
    application_id: int,
    *,
    charge_kind: ChargeKind,
    amount_cents: int,
    by: User | None,
    reference: str = "",
    instalment: int | None = None,
    note: str = "",
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        application_id=application_id,
        kind=EntryKind.CHARGE,
        charge_kind=charge_kind,
        amount_cents=amount_cents,
        reference=reference,
        instalment=instalment,
        note=note,
        created_by=by,
    )


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
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        application_id=application_id,
        kind=EntryKind.PAYMENT,
        charge_kind=charge_kind,
        amount_cents=amount_cents,
        method=method,
        external_id=external_id,
        reference=reference,
        note=note,
        created_by=by,
    )
