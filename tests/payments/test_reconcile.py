from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.payments import ledger
from admissions.payments.errors import IllegalMoveError, StatementRefused
from admissions.payments.issues import resolve_issue
from admissions.payments.ledger import FeeStatus
from admissions.payments.models import (
    BankStatement,
    BankStatementEntry,
    EntryKind,
    FinanceDocument,
    IssueKind,
    IssueStatus,
    LedgerEntry,
    Method,
    Outcome,
    PaymentIssue,
)
from admissions.payments.reconcile import import_statement
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind
from tests.payments.camt import NORD_IBAN, bank_sample, statement
from tests.payments.conftest import MakeApplication, make_user

FEE = ChargeKind.APPLICATION_FEE


@pytest.fixture
def charged(
    nord_campaign: Campaign, make_application: MakeApplication
) -> tuple[Application, LedgerEntry]:
    application = make_application(nord_campaign)
    return application, ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)


def _import(campaign: Campaign, data: bytes, by: User) -> BankStatement | None:
    return import_statement(
        institution=campaign.institution, data=data, filename="releve.xml", by=by
    )


def test_a_matching_transfer_pays_the_fee(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    application, charge = charged
    record = _import(
        nord_campaign, statement("matched.xml", charge.creditor_reference), nord_finance
    )
    assert record is not None
    assert record.report["outcomes"] == {"matched": 1}
    assert record.report["credited_cents"] == 6_000
    assert ledger.fee_status(application.pk) == FeeStatus.PAID
    payment = LedgerEntry.objects.get(kind=EntryKind.PAYMENT)
    assert payment.method == Method.BANK_TRANSFER
    bank_entry = BankStatementEntry.objects.get()
    assert (bank_entry.entry_ref, bank_entry.payment) == ("BANK-0001", payment)
    assert payment.external_id == f"camt:{nord_campaign.institution.pk}:{bank_entry.identity}"
    assert FinanceDocument.objects.filter(entry=payment).exists()
    assert not PaymentIssue.objects.exists()
    assert ApplicationEvent.objects.filter(
        application=application, action="payment.received"
    ).exists()


def test_importing_the_same_statement_again_changes_nothing(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    _, charge = charged
    data = statement("duplicate.xml", charge.creditor_reference)
    assert _import(nord_campaign, data, nord_finance) is not None
    counts = (
        LedgerEntry.objects.count(),
        PaymentIssue.objects.count(),
        BankStatement.objects.count(),
        BankStatementEntry.objects.count(),
        ApplicationEvent.objects.count(),
        FinanceDocument.objects.count(),
    )
    assert _import(nord_campaign, data, nord_finance) is None
    assert counts == (
        LedgerEntry.objects.count(),
        PaymentIssue.objects.count(),
        BankStatement.objects.count(),
        BankStatementEntry.objects.count(),
        ApplicationEvent.objects.count(),
        FinanceDocument.objects.count(),
    )


def test_a_reference_in_the_free_text_is_matched(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    application, charge = charged
    _import(
        nord_campaign, statement("matched-free-text.xml", charge.creditor_reference), nord_finance
    )
    assert ledger.fee_status(application.pk) == FeeStatus.PAID


def test_a_partial_payment_is_recorded_and_listed(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    application, charge = charged
    record = _import(
        nord_campaign, statement("partial.xml", charge.creditor_reference), nord_finance
    )
    assert record is not None
    assert record.report["outcomes"] == {"partial": 1}
    assert ledger.balance_cents(application.pk, FEE) == 2_000
    issue = PaymentIssue.objects.get()
    assert (issue.kind, issue.status, issue.amount_cents) == (
        IssueKind.PARTIAL,
        IssueStatus.OPEN,
        4_000,
    )
    with pytest.raises(IllegalMoveError):
        resolve_issue(issue, status=IssueStatus.REFUNDED, by=nord_finance)
    resolve_issue(issue, status=IssueStatus.KEPT, by=nord_finance, note="asked for the rest")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.KEPT
    with pytest.raises(IllegalMoveError):
        resolve_issue(issue, status=IssueStatus.KEPT, by=nord_finance)


def test_an_excess_is_listed_and_can_be_given_back(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    application, charge = charged
    _import(nord_campaign, statement("excess.xml", charge.creditor_reference), nord_finance)
    assert ledger.balance_cents(application.pk, FEE) == -1_550
    issue = PaymentIssue.objects.get()
    assert (issue.kind, issue.excess_cents) == (IssueKind.EXCESS, 1_550)
    resolve_issue(issue, status=IssueStatus.REFUNDED, by=nord_finance)
    refund = LedgerEntry.objects.get(kind=EntryKind.REFUND)
    assert refund.amount_cents == 1_550
    assert ledger.balance_cents(application.pk, FEE) == 0
    assert ledger.fee_status(application.pk) == FeeStatus.PAID
    assert ApplicationEvent.objects.filter(
        application=application, action="payment.issue_resolved"
    ).exists()


def test_a_second_payment_of_a_paid_charge_is_a_duplicate(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    application, charge = charged
    record = _import(
        nord_campaign, statement("duplicate.xml", charge.creditor_reference), nord_finance
    )
    assert record is not None
    assert record.report["outcomes"] == {"matched": 1, "duplicate": 1}
    issue = PaymentIssue.objects.get()
    assert (issue.kind, issue.excess_cents, issue.application) == (
        IssueKind.DUPLICATE,
        6_000,
        application,
    )
    resolve_issue(issue, status=IssueStatus.REFUNDED, by=nord_finance)
    assert ledger.balance_cents(application.pk) == 0


def test_unknown_transfers_wait_for_a_human_who_assigns_them(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    application, charge = charged
    record = _import(nord_campaign, statement("unknown.xml"), nord_finance)
    assert record is not None
    assert record.report["outcomes"] == {"unknown": 2}
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    first, second = PaymentIssue.objects.order_by("pk")
    assert (first.kind, first.application, first.payer) == (IssueKind.UNKNOWN, None, "DUPONT ALEX")
    with pytest.raises(IllegalMoveError):
        resolve_issue(first, status=IssueStatus.ASSIGNED, by=nord_finance)  # no charge named
    resolve_issue(first, status=IssueStatus.ASSIGNED, by=nord_finance, charge=charge)
    assert ledger.fee_status(application.pk) == FeeStatus.PAID
    first.refresh_from_db()
    assert (first.status, first.application) == (IssueStatus.ASSIGNED, application)
    assert first.bank_entry is not None
    assert first.bank_entry.outcome == Outcome.MATCHED
    resolve_issue(second, status=IssueStatus.RETURNED, by=nord_finance, note="sent back")
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1


def test_debits_and_pending_entries_are_ignored(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    _, charge = charged
    record = _import(
        nord_campaign, statement("not-received.xml", charge.creditor_reference), nord_finance
    )
    assert record is not None
    assert record.report["outcomes"] == {"ignored": 2}
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    assert not PaymentIssue.objects.exists()


def test_a_batch_credit_pays_two_files(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    first = make_application(nord_campaign)
    second = make_application(nord_campaign, owner=make_user())
    fee = ledger.charge(first.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    cvec = ledger.charge(second.pk, charge_kind=ChargeKind.CVEC, amount_cents=10_000, by=None)
    data = statement("batch.xml", fee.creditor_reference, other_reference=cvec.creditor_reference)
    record = _import(nord_campaign, data, nord_finance)
    assert record is not None
    assert record.report["outcomes"] == {"matched": 2}
    assert ledger.balance_cents(first.pk) == 0
    assert ledger.balance_cents(second.pk) == 0


def test_a_transfer_after_withdrawal_is_flagged_for_refund(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    application = make_application(nord_campaign)
    charge = ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    Application.objects.filter(pk=application.pk).update(status="withdrawn")
    _import(nord_campaign, statement("partial.xml", charge.creditor_reference), nord_finance)
    issue = PaymentIssue.objects.get()
    assert issue.kind == IssueKind.WITHDRAWN
    resolve_issue(issue, status=IssueStatus.REFUNDED, by=nord_finance)
    # The 40 EUR go back and the 20 EUR still owed are written off: the file is settled.
    assert LedgerEntry.objects.get(kind=EntryKind.REFUND).amount_cents == 4_000
    assert LedgerEntry.objects.get(kind=EntryKind.WRITE_OFF).amount_cents == 6_000
    assert ledger.balance_cents(application.pk) == 0


def test_a_statement_of_another_account_is_refused(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    data = statement("matched.xml", charged[1].creditor_reference, iban="DE89370400440532013000")
    with pytest.raises(StatementRefused) as refused:
        _import(nord_campaign, data, nord_finance)
    assert refused.value.code == "wrong_account"
    assert not BankStatement.objects.exists()


def test_a_reference_of_another_institution_is_unknown_here(
    nord_campaign: Campaign,
    bs_campaign: Campaign,
    make_application: MakeApplication,
    nord_finance: User,
) -> None:
    elsewhere = make_application(bs_campaign)
    charge = ledger.charge(elsewhere.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    record = _import(
        nord_campaign, statement("matched.xml", charge.creditor_reference), nord_finance
    )
    assert record is not None
    assert record.report["outcomes"] == {"unknown": 1}
    assert ledger.balance_cents(elsewhere.pk) == 6_000


def test_an_unreadable_file_is_refused_with_a_clear_message(
    nord_campaign: Campaign, nord_finance: User
) -> None:
    with pytest.raises(StatementRefused) as refused:
        _import(nord_campaign, b"<html></html>", nord_finance)
    assert refused.value.code == "not_camt053"
    assert "camt.053" in refused.value.message


def _paid_by_transfer(application: Application, charge: LedgerEntry, cents: int) -> LedgerEntry:
    return ledger.record_payment(
        application.pk,
        charge_kind=ChargeKind(charge.charge_kind),
        amount_cents=cents,
        method=Method.BANK_TRANSFER,
        by=None,
        external_id=f"earlier-transfer-{charge.pk}",
    )


def test_a_bank_batch_whose_transfers_share_one_reference_pays_both_files(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    """A Swiss bank's grouped credit, its two `TxDtls` under one `AcctSvcrRef`."""
    first = make_application(nord_campaign)
    second = make_application(nord_campaign, owner=make_user())
    fee = ledger.charge(first.pk, charge_kind=FEE, amount_cents=218_700, by=None)
    cvec = ledger.charge(second.pk, charge_kind=ChargeKind.CVEC, amount_cents=129_600, by=None)
    data = bank_sample(
        "oca-camt053-txdtls.xml",
        everywhere={"CH1111000000123456789": NORD_IBAN, 'Ccy="CHF"': 'Ccy="EUR"'},
        once=[
            ("302388292000011111111111111", str(fee.creditor_reference)),
            ("302388292000022222222222222", str(cvec.creditor_reference)),
        ],
    )
    record = _import(nord_campaign, data, nord_finance)
    assert record is not None
    assert record.report["outcomes"] == {"matched": 2}
    assert record.report["credited_cents"] == 348_300
    assert ledger.balance_cents(first.pk) == 0
    assert ledger.balance_cents(second.pk) == 0
    assert set(BankStatementEntry.objects.values_list("entry_ref", flat=True)) == {
        "123456CHCAFEBABE"
    }
    # The same statement again: nothing new, and nothing called new.
    assert _import(nord_campaign, data, nord_finance) is None
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 2


def test_entries_carrying_the_same_bank_reference_are_each_recorded(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    first = make_application(nord_campaign)
    second = make_application(nord_campaign, owner=make_user())
    fee = ledger.charge(first.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    cvec = ledger.charge(second.pk, charge_kind=ChargeKind.CVEC, amount_cents=10_000, by=None)
    data = statement(
        "same-bank-reference.xml",
        fee.creditor_reference,
        other_reference=str(cvec.creditor_reference),
    )
    record = _import(nord_campaign, data, nord_finance)
    assert record is not None
    assert record.report == {
        "entries": 2,
        "already_imported": 0,
        "outcomes": {"matched": 2},
        "credited_cents": 16_000,
        "reversed_cents": 0,
    }
    assert (ledger.fee_status(first.pk), ledger.balance_cents(second.pk)) == (FeeStatus.PAID, 0)
    assert not PaymentIssue.objects.exists()
    assert _import(nord_campaign, data, nord_finance) is None


def test_a_later_statement_repeating_a_transfer_records_only_the_new_one(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    first = make_application(nord_campaign)
    second = make_application(nord_campaign, owner=make_user())
    fee = ledger.charge(first.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    cvec = ledger.charge(second.pk, charge_kind=ChargeKind.CVEC, amount_cents=10_000, by=None)
    weekly = statement(
        "same-bank-reference.xml",
        fee.creditor_reference,
        other_reference=str(cvec.creditor_reference),
    )
    # The daily statement held the first transfer only.
    second_entry = weekly.index(b"<Ntry>", weekly.index(b"</Ntry>"))
    daily = weekly[:second_entry] + weekly[weekly.index(b"</Stmt>") :]
    assert _import(nord_campaign, daily, nord_finance) is not None
    record = _import(nord_campaign, weekly, nord_finance)
    assert record is not None
    assert (record.report["already_imported"], record.report["outcomes"]) == (1, {"matched": 1})
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 2
    assert not PaymentIssue.objects.exists()


def test_a_returned_transfer_reopens_the_charge_it_had_paid(
    client: Client,
    nord_campaign: Campaign,
    charged: tuple[Application, LedgerEntry],
    nord_finance: User,
) -> None:
    application, charge = charged
    _import(nord_campaign, statement("matched.xml", charge.creditor_reference), nord_finance)
    assert ledger.fee_status(application.pk) == FeeStatus.PAID
    record = _import(
        nord_campaign, statement("returned.xml", charge.creditor_reference), nord_finance
    )
    assert record is not None
    assert record.report["outcomes"] == {"reversed": 1}
    assert record.report["reversed_cents"] == 6_000
    assert ledger.fee_status(application.pk) == FeeStatus.DUE
    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert reversal.reverses == LedgerEntry.objects.get(kind=EntryKind.PAYMENT)
    assert "STMT-RETURNED" in reversal.note
    assert BankStatementEntry.objects.get(statement=record).payment == reversal
    event = ApplicationEvent.objects.get(application=application, action="payment.reversed")
    assert event.details["amount_cents"] == 6_000
    client.force_login(nord_finance)
    page = client.get(f"/en/office/finance/statements/{record.pk}/").content.decode()
    assert "Transfer returned: payment reversed" in page
    assert application.reference in page
    # Imported again, the return reverses nothing more.
    assert (
        _import(nord_campaign, statement("returned.xml", charge.creditor_reference), nord_finance)
        is None
    )
    assert LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).count() == 1


def test_a_bank_batch_of_returned_payments_reopens_each_charge(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    """A Dutch bank's day: a debit, one reversed entry batching two returns, a credit."""
    first = make_application(nord_campaign)
    second = make_application(nord_campaign, owner=make_user())
    fee = ledger.charge(first.pk, charge_kind=FEE, amount_cents=56_405, by=None)
    cvec = ledger.charge(second.pk, charge_kind=ChargeKind.CVEC, amount_cents=10_000, by=None)
    _paid_by_transfer(first, fee, 56_405)
    _paid_by_transfer(second, cvec, 10_000)
    data = bank_sample(
        "oca-camt053.xml",
        everywhere={"NL77ABNA0574908765": NORD_IBAN},
        once=[
            ("Direct Debit S14 0410", f"Retour {fee.creditor_reference}"),
            ("Direct Debit S14 0410", f"Retour {cvec.creditor_reference}"),
        ],
    )
    record = _import(nord_campaign, data, nord_finance)
    assert record is not None
    assert record.report["outcomes"] == {"ignored": 1, "reversed": 2, "unknown": 1}
    assert record.report["reversed_cents"] == 66_405
    assert ledger.balance_cents(first.pk) == 56_405
    assert ledger.balance_cents(second.pk) == 10_000
    assert ApplicationEvent.objects.filter(action="payment.reversed").count() == 2
    assert _import(nord_campaign, data, nord_finance) is None


def test_a_refund_sent_by_the_school_is_not_taken_for_a_return(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    application, charge = charged
    _import(nord_campaign, statement("duplicate.xml", charge.creditor_reference), nord_finance)
    resolve_issue(PaymentIssue.objects.get(), status=IssueStatus.REFUNDED, by=nord_finance)
    refund = LedgerEntry.objects.get(kind=EntryKind.REFUND)
    # The refund leaves the account quoting the reference: a debit without RvslInd.
    outgoing = statement("returned.xml", charge.creditor_reference).replace(
        b"<RvslInd>true</RvslInd>", b""
    )
    record = _import(nord_campaign, outgoing, nord_finance)
    assert record is not None
    assert record.report["outcomes"] == {"ignored": 1}
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
    assert BankStatementEntry.objects.get(statement=record).payment == refund
    assert ledger.balance_cents(application.pk) == 0


def test_a_statement_without_entries_says_so(nord_campaign: Campaign, nord_finance: User) -> None:
    data = bank_sample("oca-camt053-no-ntry.xml", everywhere={"NL77ABNA0574908765": NORD_IBAN})
    with translation.override("en"), pytest.raises(StatementRefused) as refused:
        _import(nord_campaign, data, nord_finance)
    assert refused.value.code == "no_entries"
    assert "no entries" in refused.value.message
    assert not BankStatement.objects.exists()


@pytest.mark.parametrize("amount", ["1E+30", "99999999999999999999.99"])
def test_an_absurd_amount_is_refused_clearly(
    nord_campaign: Campaign, nord_finance: User, amount: str
) -> None:
    data = statement("matched.xml").replace(b">60.00<", f">{amount}<".encode())
    with translation.override("en"), pytest.raises(StatementRefused) as refused:
        _import(nord_campaign, data, nord_finance)
    assert refused.value.code == "bad_amount"
    assert "cannot be read" in refused.value.message


@pytest.mark.parametrize(
    ("account", "code"),
    [
        ("<Othr><Id>DE89370400440532013000</Id></Othr>", "wrong_account"),
        ("<Othr><Id>12345678901</Id></Othr>", "wrong_account"),
        ("", "no_account_in_statement"),
    ],
)
def test_a_statement_not_naming_the_account_is_refused(
    nord_campaign: Campaign,
    charged: tuple[Application, LedgerEntry],
    nord_finance: User,
    account: str,
    code: str,
) -> None:
    data = statement("matched.xml", charged[1].creditor_reference).replace(
        f"<Id><IBAN>{NORD_IBAN}</IBAN></Id>".encode(), f"<Id>{account}</Id>".encode()
    )
    with pytest.raises(StatementRefused) as refused:
        _import(nord_campaign, data, nord_finance)
    assert refused.value.code == code
    assert nord_campaign.institution.name in refused.value.message
    assert not BankStatement.objects.exists()
    assert ledger.fee_status(charged[0].pk) == FeeStatus.DUE


def test_the_national_account_number_given_as_other_id_is_accepted(
    nord_campaign: Campaign, charged: tuple[Application, LedgerEntry], nord_finance: User
) -> None:
    data = statement("matched.xml", charged[1].creditor_reference).replace(
        f"<IBAN>{NORD_IBAN}</IBAN>".encode(), b"<Othr><Id>10071590000000102433444</Id></Othr>"
    )
    assert _import(nord_campaign, data, nord_finance) is not None
    assert ledger.fee_status(charged[0].pk) == FeeStatus.PAID


def test_an_institution_without_a_bank_account_takes_no_statement(
    bs_campaign: Campaign, nord_finance: User
) -> None:
    with pytest.raises(StatementRefused) as refused:
        _import(bs_campaign, statement("matched.xml"), nord_finance)
    assert refused.value.code == "no_account"


def test_a_made_up_namespace_is_refused(nord_campaign: Campaign, nord_finance: User) -> None:
    data = statement("matched.xml").replace(
        b"xsd:camt.053.001.02", b"xsd:camt.053.001.02:not-from-a-bank"
    )
    with pytest.raises(StatementRefused) as refused:
        _import(nord_campaign, data, nord_finance)
    assert refused.value.code == "not_camt053"


@pytest.mark.postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_statement_at_once_take_each_entry_once(
    database_engine: str,
    nord_campaign: Campaign,
    make_application: MakeApplication,
    nord_finance: User,
) -> None:
    application = make_application(nord_campaign)
    charge = ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    data = statement("duplicate.xml", charge.creditor_reference)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            _import(nord_campaign, data, nord_finance)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert BankStatement.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 2
    assert PaymentIssue.objects.count() == 1
