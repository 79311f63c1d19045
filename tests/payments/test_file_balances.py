"""Each file's kept balance, and the count of files with money per campaign's programme,
equal a sum of the ledger after any sequence of moves made through the ledger's services."""

from __future__ import annotations

import contextlib
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from admissions.catalog.models import Campaign, Programme
from admissions.payments import file_balances, ledger
from admissions.payments.errors import LedgerError
from admissions.payments.models import ChargedFiles, EntryKind, FileBalance, LedgerEntry, Method
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication, make_user

KINDS = [ChargeKind.APPLICATION_FEE, ChargeKind.DEPOSIT]
FILES = 3
MOVES = ["charge", "pay", "refund", "write_off", "reverse", "charge_many"]
moves = st.lists(
    st.tuples(
        st.sampled_from(MOVES),
        st.integers(min_value=0, max_value=FILES - 1),
        st.sampled_from(KINDS),
        st.sampled_from([100, 2_500, 6_000]),
    ),
    min_size=1,
    max_size=15,
)


def _agree() -> None:
    assert file_balances.kept() == file_balances.recount()
    assert file_balances.kept_files() == file_balances.recount_files()


def _move(move: str, application_id: int, others: list[int], kind: str, cents: int) -> None:
    if move == "charge":
        ledger.charge(application_id, charge_kind=kind, amount_cents=cents, by=None)
    elif move == "pay":
        ledger.record_payment(
            application_id, charge_kind=kind, amount_cents=cents, method=Method.CARD, by=None
        )
    elif move == "refund":
        ledger.record_refund(
            application_id,
            charge_kind=kind,
            amount_cents=cents,
            method=Method.BANK_TRANSFER,
            by=None,
        )
    elif move == "write_off":
        ledger.write_off(application_id, charge_kind=kind, amount_cents=cents, by=None)
    elif move == "reverse":
        payment = (
            LedgerEntry.objects.filter(
                application_id=application_id, kind=EntryKind.PAYMENT, corrections=None
            )
            .order_by("pk")
            .first()
        )
        if payment is not None:
            ledger.reverse_payment(payment, by=None, note="returned")
    else:
        with transaction.atomic():
            ledger.charge_many([ledger.Charge(pk, kind, cents) for pk in others], by=None)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(moves)
def test_kept_balances_equal_the_ledger_after_any_moves(
    nord_campaign: Campaign,
    make_application: MakeApplication,
    sequence: list[tuple[str, int, str, int]],
) -> None:
    programmes = list(Programme.objects.filter(institution=nord_campaign.institution)[:2])
    files = [
        make_application(nord_campaign, owner=make_user(), programme=programmes[n % 2].slug)
        for n in range(FILES)
    ]
    ids = [application.pk for application in files]
    for move, index, kind, cents in sequence:
        # A move refused (more than paid or owed) writes nothing and counts nothing.
        with contextlib.suppress(LedgerError):
            _move(move, ids[index], ids, kind, cents)
        _agree()
    for application_id in ids:
        kept = FileBalance.objects.filter(pk=application_id).first()
        lines = ledger.lines(application_id)
        if kept is None:
            assert not lines
            continue
        assert kept.campaign_id == nord_campaign.pk
        assert kept.outstanding == sum(line.outstanding for line in lines)
        assert kept.paid == kept.received - kept.reversed


def test_a_move_rolled_back_is_not_counted_and_the_command_sums_again(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign, owner=make_user())
    ledger.charge(application.pk, charge_kind=KINDS[0], amount_cents=6_000, by=None)
    before = (file_balances.kept(), file_balances.kept_files())

    def pay_then_fail() -> None:
        with transaction.atomic():
            ledger.record_payment(
                application.pk,
                charge_kind=KINDS[0],
                amount_cents=500,
                method=Method.CARD,
                by=None,
            )
            other = make_application(nord_campaign, owner=make_user())
            ledger.charge(other.pk, charge_kind=KINDS[0], amount_cents=6_000, by=None)
            raise RuntimeError("undone")

    with pytest.raises(RuntimeError):
        pay_then_fail()
    assert (file_balances.kept(), file_balances.kept_files()) == before
    _agree()
    assert file_balances.kept()[application.pk] == (6_000, 0, 0, 0, 0, 6_000)
    FileBalance.objects.update(charged=1, outstanding=-3)
    ChargedFiles.objects.update(files=40)
    out = io.StringIO()
    call_command("rebuild_fee_totals", stdout=out)
    _agree()
    assert "1 file balances written" in out.getvalue()
