from __future__ import annotations

import threading

import pytest
from django.db import connection

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
from tests.payments.camt import statement
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
    assert payment.external_id == f"camt:{nord_campaign.institution.pk}:BANK-0001"
    assert BankStatementEntry.objects.get().payment == payment
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
