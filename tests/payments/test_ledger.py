from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admissions.applications.models import ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.payments import ledger
from admissions.payments.errors import LedgerError
from admissions.payments.ledger import FeeStatus
from admissions.payments.models import EntryKind, FinanceDocument, LedgerEntry, Method
from admissions.rules import creditor_reference
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication, make_user

FEE = ChargeKind.APPLICATION_FEE


def test_a_charge_gets_a_unique_valid_creditor_reference(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    first = ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    second = ledger.charge(
        application.pk, charge_kind=ChargeKind.TUITION, amount_cents=250_000, by=None, instalment=1
    )
    assert creditor_reference.is_valid(first.creditor_reference)
    assert creditor_reference.is_valid(second.creditor_reference)
    assert first.creditor_reference != second.creditor_reference
    actions = list(
        ApplicationEvent.objects.filter(application=application).values_list("action", flat=True)
    )
    assert actions == ["payment.charged", "payment.charged"]


def test_fee_status_moves_with_the_entries(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    assert ledger.fee_status(application.pk) == FeeStatus.NOT_CHARGED
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    assert ledger.fee_status(application.pk) == FeeStatus.DUE
    ledger.record_payment(
        application.pk, charge_kind=FEE, amount_cents=2_000, method=Method.BANK_TRANSFER, by=None
    )
    assert ledger.fee_status(application.pk) == FeeStatus.DUE
    ledger.record_payment(
        application.pk, charge_kind=FEE, amount_cents=4_000, method=Method.BANK_TRANSFER, by=None
    )
    assert ledger.fee_status(application.pk) == FeeStatus.PAID
    other = make_application(nord_campaign, owner=make_user())
    ledger.charge(other.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    ledger.write_off(other.pk, charge_kind=FEE, amount_cents=6_000, by=None, note="waived")
    assert ledger.fee_status(other.pk) == FeeStatus.WAIVED


def test_entries_are_immutable(nord_campaign: Campaign, make_application: MakeApplication) -> None:
    application = make_application(nord_campaign)
    entry = ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    entry.amount_cents = 1
    with pytest.raises(ValueError, match="immutable"):
        entry.save()
    with pytest.raises(ValueError, match="immutable"):
        entry.delete()


def test_a_payment_is_recorded_once_per_external_id_with_its_receipt(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    first = ledger.record_payment(
        application.pk,
        charge_kind=FEE,
        amount_cents=6_000,
        method=Method.CARD,
        by=None,
        external_id="psp:1",
    )
    again = ledger.record_payment(
        application.pk,
        charge_kind=FEE,
        amount_cents=6_000,
        method=Method.CARD,
        by=None,
        external_id="psp:1",
    )
    assert again.pk == first.pk
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    receipt = FinanceDocument.objects.get(entry=first)
    assert receipt.number == 1
    assert receipt.display_number == "R-000001"


@pytest.mark.parametrize("amount", [0, -100])
def test_amounts_must_be_positive(
    nord_campaign: Campaign, make_application: MakeApplication, amount: int
) -> None:
    application = make_application(nord_campaign)
    with pytest.raises(LedgerError):
        ledger.charge(application.pk, charge_kind=FEE, amount_cents=amount, by=None)
    assert not LedgerEntry.objects.exists()


def test_a_refund_above_what_was_paid_is_refused(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    ledger.charge(application.pk, charge_kind=ChargeKind.CVEC, amount_cents=10_000, by=None)
    ledger.record_payment(
        application.pk,
        charge_kind=ChargeKind.CVEC,
        amount_cents=10_000,
        method=Method.BANK_TRANSFER,
        by=None,
    )
    ledger.record_refund(
        application.pk,
        charge_kind=ChargeKind.CVEC,
        amount_cents=4_000,
        method=Method.BANK_TRANSFER,
        by=None,
    )
    with pytest.raises(LedgerError) as refused:
        ledger.record_refund(
            application.pk,
            charge_kind=ChargeKind.CVEC,
            amount_cents=6_001,
            method=Method.BANK_TRANSFER,
            by=None,
        )
    assert refused.value.code == "refund_exceeds_paid"
    # Money paid on another line cannot be refunded on this one.
    with pytest.raises(LedgerError):
        ledger.record_refund(
            application.pk, charge_kind=FEE, amount_cents=1, method=Method.BANK_TRANSFER, by=None
        )


def test_a_write_off_above_what_is_owed_is_refused(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    with pytest.raises(LedgerError):
        ledger.write_off(application.pk, charge_kind=FEE, amount_cents=6_001, by=None)


def test_a_payment_is_reversed_once(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    ledger.charge(
        application.pk, charge_kind=ChargeKind.TUITION, instalment=2, amount_cents=250_000, by=None
    )
    payment = ledger.record_payment(
        application.pk,
        charge_kind=ChargeKind.TUITION,
        instalment=2,
        amount_cents=250_000,
        method=Method.SEPA_DIRECT_DEBIT,
        by=None,
    )
    assert ledger.balance_cents(application.pk) == 0
    reversal = ledger.reverse_payment(payment, by=None, note="AM04 insufficient funds")
    assert reversal.kind == EntryKind.REVERSAL
    assert ledger.balance_cents(application.pk) == 250_000
    with pytest.raises(LedgerError):
        ledger.reverse_payment(payment, by=None, note="again")
    charge = LedgerEntry.objects.filter(kind=EntryKind.CHARGE).first()
    assert charge is not None
    with pytest.raises(LedgerError):
        ledger.reverse_payment(charge, by=None, note="not a payment")


def test_lines_for_many_files_in_one_query(
    nord_campaign: Campaign, make_application: MakeApplication, django_assert_num_queries: object
) -> None:
    first = make_application(nord_campaign)
    second = make_application(nord_campaign, owner=make_user())
    for application in (first, second):
        ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    ledger.record_payment(
        first.pk, charge_kind=FEE, amount_cents=6_000, method=Method.CARD, by=None
    )
    with django_assert_num_queries(1):  # type: ignore[operator]
        found = ledger.lines_for([first.pk, second.pk])
    assert found[first.pk]["application_fee:0"].outstanding == 0
    assert found[second.pk]["application_fee:0"].outstanding == 6_000


# Any sequence of moves: the balance stays the sum of the signed entries, every line's
# refunds stay within what was paid on it, and the ledger refuses exactly the refunds and
# write-offs that would break that.
LINES = [(ChargeKind.APPLICATION_FEE, None), (ChargeKind.TUITION, 1), (ChargeKind.TUITION, 2)]
moves = st.lists(
    st.tuples(
        st.sampled_from(["charge", "pay", "refund", "write_off"]),
        st.sampled_from(range(len(LINES))),
        st.integers(min_value=1, max_value=50_000),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves)
def test_any_sequence_keeps_the_ledger_consistent(
    nord_campaign: Campaign, make_application: MakeApplication, sequence: list[tuple[str, int, int]]
) -> None:
    application = make_application(nord_campaign, owner=make_user())
    expected = {
        index: {"charged": 0, "paid": 0, "refunded": 0, "written_off": 0}
        for index in range(len(LINES))
    }
    for move, index, amount in sequence:
        kind, instalment = LINES[index]
        line = expected[index]
        owed = line["charged"] - line["paid"] + line["refunded"] - line["written_off"]
        if move == "charge":
            ledger.charge(
                application.pk,
                charge_kind=kind,
                instalment=instalment,
                amount_cents=amount,
                by=None,
            )
            line["charged"] += amount
        elif move == "pay":
            ledger.record_payment(
                application.pk,
                charge_kind=kind,
                instalment=instalment,
                amount_cents=amount,
                method=Method.CARD,
                by=None,
            )
            line["paid"] += amount
        elif move == "refund":
            if amount > line["paid"] - line["refunded"]:
                with pytest.raises(LedgerError):
                    ledger.record_refund(
                        application.pk,
                        charge_kind=kind,
                        instalment=instalment,
                        amount_cents=amount,
                        method=Method.CARD,
                        by=None,
                    )
            else:
                ledger.record_refund(
                    application.pk,
                    charge_kind=kind,
                    instalment=instalment,
                    amount_cents=amount,
                    method=Method.CARD,
                    by=None,
                )
                line["refunded"] += amount
        elif amount > owed:
            with pytest.raises(LedgerError):
                ledger.write_off(
                    application.pk,
                    charge_kind=kind,
                    instalment=instalment,
                    amount_cents=amount,
                    by=None,
                )
        else:
            ledger.write_off(
                application.pk,
                charge_kind=kind,
                instalment=instalment,
                amount_cents=amount,
                by=None,
            )
            line["written_off"] += amount
    entries = list(LedgerEntry.objects.filter(application=application))
    assert ledger.balance_cents(application.pk) == ledger.signed_sum(entries)
    assert ledger.balance_cents(application.pk) == sum(
        line["charged"] - line["paid"] + line["refunded"] - line["written_off"]
        for line in expected.values()
    )
    for found in ledger.lines(application.pk):
        assert 0 <= found.refunded <= found.paid
        index = LINES.index((ChargeKind(found.charge_kind), found.instalment))
        assert found.refundable == expected[index]["paid"] - expected[index]["refunded"]


def test_layers_above_hear_of_a_payment_after_commit(
    nord_campaign: Campaign,
    make_application: MakeApplication,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from admissions.payments.signals import payment_recorded

    heard: list[tuple[int, int]] = []

    def receiver(sender: object, entry: LedgerEntry, application_id: int, **kwargs: object) -> None:
        heard.append((application_id, entry.amount_cents))

    application = make_application(nord_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    payment_recorded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ledger.record_payment(
                application.pk, charge_kind=FEE, amount_cents=6_000, method=Method.CARD, by=None
            )
            assert heard == []
    finally:
        payment_recorded.disconnect(receiver)
    assert heard == [(application.pk, 6_000)]
