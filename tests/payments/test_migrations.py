"""Data migrations of payments, run for real on a database holding the old state."""

from __future__ import annotations

import pytest

from admissions.applications.models import ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.payments import file_balances, ledger
from admissions.payments.models import EntryKind, LedgerEntry, Method, RefundRequest, RefundStatus
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind, RefundEvent
from tests.migrating import migrate_to
from tests.payments.conftest import MakeApplication, make_user

BEFORE = ("payments", "0004_bank_transaction_identity")
AFTER = ("payments", "0005_refunded_charges_settled")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_a_charge_refunded_before_is_settled_by_the_migration(
    bs_campaign: Campaign, make_application: MakeApplication, bs_finance: User
) -> None:
    application = make_application(
        bs_campaign, track="work_study", financing_mode="opco", status="confirmed"
    )
    deposit = ChargeKind.DEPOSIT
    ledger.charge(application.pk, charge_kind=deposit, amount_cents=45_000, by=None)
    ledger.record_payment(
        application.pk, charge_kind=deposit, amount_cents=45_000, method=Method.CARD, by=None
    )
    # What recording a refund used to write: the refund alone, the deposit owed again.
    refund = ledger.record_refund(
        application.pk,
        charge_kind=deposit,
        amount_cents=45_000,
        method=Method.BANK_TRANSFER,
        by=bs_finance,
        note="Refund under rule deposit-funded",
    )
    RefundRequest.objects.create(
        application=application,
        charge_kind=deposit,
        amount_cents=45_000,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        rule_code="deposit-funded",
        status=RefundStatus.RECORDED,
        decided_by=bs_finance,
        refund=refund,
    )
    assert ledger.balance_cents(application.pk) == 45_000
    try:
        migrate_to(BEFORE)
        migrate_to(AFTER)
    finally:
        migrate_to(AFTER)
    assert ledger.balance_cents(application.pk) == 0
    write_off = LedgerEntry.objects.get(kind=EntryKind.WRITE_OFF)
    assert (write_off.amount_cents, write_off.created_by) == (45_000, bs_finance)
    assert ApplicationEvent.objects.filter(
        application=application, action="payment.written_off"
    ).exists()
    # Run again, it finds nothing owed and writes nothing.
    migrate_to(BEFORE)
    migrate_to(AFTER)
    assert LedgerEntry.objects.filter(kind=EntryKind.WRITE_OFF).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_the_files_balances_are_summed_from_the_ledger_by_their_migration(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    fee = ChargeKind.APPLICATION_FEE
    owing, paid_back = (make_application(nord_campaign, owner=make_user()) for _ in range(2))
    ledger.charge(owing.pk, charge_kind=fee, amount_cents=6_000, by=None)
    ledger.record_payment(
        owing.pk, charge_kind=fee, amount_cents=2_500, method=Method.CARD, by=None
    )
    ledger.charge(paid_back.pk, charge_kind=fee, amount_cents=6_000, by=None)
    payment = ledger.record_payment(
        paid_back.pk, charge_kind=fee, amount_cents=6_000, method=Method.CARD, by=None
    )
    ledger.reverse_payment(payment, by=None, note="returned")
    ledger.record_payment(
        paid_back.pk, charge_kind=fee, amount_cents=6_000, method=Method.CARD, by=None
    )
    ledger.record_refund(
        paid_back.pk, charge_kind=fee, amount_cents=1_000, method=Method.BANK_TRANSFER, by=None
    )
    ledger.write_off(paid_back.pk, charge_kind=fee, amount_cents=500, by=None)
    try:
        migrate_to(("payments", "0006_fee_totals"))
        migrate_to(("payments", "0007_file_balances"))
    finally:
        migrate_to(("payments", "0007_file_balances"))
    assert file_balances.kept() == file_balances.recount()
    assert file_balances.kept()[owing.pk] == (6_000, 2_500, 0, 0, 0, 3_500)
    assert file_balances.kept()[paid_back.pk] == (6_000, 12_000, 6_000, 1_000, 500, 500)
    assert file_balances.kept_files() == {(nord_campaign.pk, owing.programme_id): 2}
