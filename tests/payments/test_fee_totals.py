"""The fee totals kept with each ledger entry equal a sum of the ledger."""

from __future__ import annotations

import io
import random

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from admissions.payments import fee_totals, file_balances, ledger
from admissions.payments.errors import LedgerError
from admissions.payments.models import EntryKind, FeeTotal, LedgerEntry, Method
from admissions.rules.vocabulary import ChargeKind
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
)

pytestmark = pytest.mark.django_db
KINDS = [ChargeKind.APPLICATION_FEE, ChargeKind.DEPOSIT, ChargeKind.TUITION]


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_totals_equal_a_sum_of_the_ledger_after_random_entries() -> None:
    campaign = load_preset("imt-nord-europe")
    programmes = [
        programme_of(campaign, "ms-cybersecurite"),
        programme_of(campaign, "ms-transition-energetique"),
    ]
    files = [draft(eligible_candidate(), campaign, programmes[n % 2]) for n in range(6)]
    assert fee_totals.kept() == fee_totals.recount() != {}
    rng = random.Random(7)
    written = 0
    for _ in range(150):
        application = rng.choice(files)
        kind = rng.choice(KINDS)
        cents = rng.choice([100, 2_500, 15_000])
        choice = rng.random()
        try:
            if choice < 0.25:
                ledger.charge(application.pk, charge_kind=kind, amount_cents=cents, by=None)
            elif choice < 0.55:
                ledger.record_payment(
                    application.pk,
                    charge_kind=kind,
                    amount_cents=cents,
                    method=Method.CARD,
                    by=None,
                )
            elif choice < 0.7:
                ledger.record_refund(
                    application.pk,
                    charge_kind=kind,
                    amount_cents=cents,
                    method=Method.BANK_TRANSFER,
                    by=None,
                )
            elif choice < 0.8:
                ledger.write_off(application.pk, charge_kind=kind, amount_cents=cents, by=None)
            elif choice < 0.9:
                payment = (
                    LedgerEntry.objects.filter(
                        application=application, kind=EntryKind.PAYMENT, corrections=None
                    )
                    .order_by("?")
                    .first()
                )
                if payment is None:
                    continue
                ledger.reverse_payment(payment, by=None, note="returned")
            else:
                with transaction.atomic():
                    ledger.charge_many(
                        [ledger.Charge(f.pk, kind, cents) for f in rng.sample(files, 3)],
                        by=None,
                    )
        except LedgerError:
            continue  # refused (more than paid or owed): nothing written, nothing counted
        written += 1
        assert fee_totals.kept() == fee_totals.recount()
        assert file_balances.kept() == file_balances.recount()
        assert file_balances.kept_files() == file_balances.recount_files()
    assert written > 80
    kinds = {key[3] for key in fee_totals.kept()}
    assert kinds >= {"charge", "payment", "refund"}


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_an_entry_undone_is_not_counted_and_the_command_sums_again() -> None:
    campaign = load_preset("imt-nord-europe")
    application = draft(eligible_candidate(), campaign, programme_of(campaign))
    before = fee_totals.kept()

    def pay_then_fail() -> None:
        with transaction.atomic():
            ledger.record_payment(
                application.pk,
                charge_kind=ChargeKind.APPLICATION_FEE,
                amount_cents=500,
                method=Method.CARD,
                by=None,
            )
            raise RuntimeError("undone")

    with pytest.raises(RuntimeError):
        pay_then_fail()
    assert fee_totals.kept() == before == fee_totals.recount()
    FeeTotal.objects.update(cents=1)
    out = io.StringIO()
    call_command("rebuild_fee_totals", stdout=out)
    assert fee_totals.kept() == fee_totals.recount()
    assert "fee totals written" in out.getvalue()
