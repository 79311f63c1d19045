from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import NotAllowed
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.documents.review import reject_document
from admissions.payments import balances, ledger
from admissions.payments.errors import IllegalMoveError, LedgerError, RefundNotAllowedError
from admissions.payments.models import EntryKind, LedgerEntry, Method, RefundRequest, RefundStatus
from admissions.people.models import Role, User
from admissions.rules.checklist import item_for
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import ChargeKind, RefundEvent
from admissions.workflow import refunds
from admissions.workflow.checks import check_documents
from tests.payments.agreements import CODE as AGREEMENT_CODE
from tests.payments.agreements import (
    admissions_officer,
    file_agreement,
    rejected_agreement,
    validated_agreement,
)
from tests.payments.conftest import MakeApplication, make_user, staff


def _paid(
    application: Application, kind: ChargeKind, cents: int, instalment: int | None = None
) -> None:
    ledger.charge(
        application.pk, charge_kind=kind, amount_cents=cents, by=None, instalment=instalment
    )
    ledger.record_payment(
        application.pk,
        charge_kind=kind,
        amount_cents=cents,
        method=Method.CARD,
        by=None,
        instalment=instalment,
    )


@pytest.fixture
def work_study(bs_campaign: Campaign, make_application: MakeApplication) -> Application:
    application = make_application(
        bs_campaign, track="work_study", financing_mode="opco", status="confirmed"
    )
    _paid(application, ChargeKind.APPLICATION_FEE, 8_000)
    _paid(application, ChargeKind.DEPOSIT, 45_000)
    return application


@pytest.fixture
def validated(work_study: Application) -> Application:
    """The work-study file once the admissions office accepted its funding agreement."""
    validated_agreement(work_study)
    return work_study


def actions(application: Application) -> list[str]:
    return list(
        ApplicationEvent.objects.filter(
            application=application, action__startswith="payment.refund"
        ).values_list("action", flat=True)
    )


@pytest.mark.usefixtures("validated")
def test_deposit_refund_with_a_validated_agreement_goes_through_approval(
    work_study: Application, bs_finance: User
) -> None:
    request = refunds.request_refund(
        work_study,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        by=bs_finance,
        reason="OPCO agreement received",
    )
    assert (request.status, request.rule_code, request.amount_cents) == (
        RefundStatus.REQUESTED,
        "deposit-funded",
        45_000,
    )
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()
    refunds.approve_refund(request, by=bs_finance)
    refunds.record_refund(request, by=bs_finance)
    request.refresh_from_db()
    assert request.status == RefundStatus.RECORDED
    assert request.refund is not None
    assert request.refund.amount_cents == 45_000
    # The deposit was refunded, not returned as money never owed: it is settled.
    assert ledger.balance_cents(work_study.pk, ChargeKind.DEPOSIT) == 0
    assert actions(work_study) == [
        "payment.refund_requested",
        "payment.refund_approved",
        "payment.refunded",
        "payment.refund_recorded",
    ]
    written_off = ApplicationEvent.objects.get(application=work_study, action="payment.written_off")
    assert written_off.details["amount_cents"] == 45_000


@pytest.mark.usefixtures("validated")
def test_a_refunded_deposit_is_settled_on_every_page(
    client: Client, work_study: Application, bs_finance: User
) -> None:
    request = refunds.request_refund(
        work_study,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        by=bs_finance,
    )
    refunds.approve_refund(request, by=bs_finance)
    refunds.record_refund(request, by=bs_finance)
    [deposit] = [line for line in ledger.lines(work_study.pk) if line.charge_kind == "deposit"]
    assert (deposit.charged, deposit.refunded, deposit.outstanding) == (45_000, 45_000, 0)
    [row] = balances.with_balances(Application.objects.filter(pk=work_study.pk))
    assert row.outstanding == 0
    client.force_login(work_study.candidate)
    page = client.get(f"/en/payments/{work_study.reference}/").content.decode()
    deposit_row = page[page.index('<th scope="row" role="rowheader">Deposit') :]
    deposit_row = deposit_row[: deposit_row.index("</tr>")]
    assert "Pay by card" not in deposit_row
    assert "Settled" in deposit_row
    balance = page[page.index("<tfoot") : page.index("</tfoot>")]
    assert "€0" in balance
    client.force_login(bs_finance)
    page = client.get(f"/en/office/finance/files/{work_study.reference}/").content.decode()
    deposit_row = page[page.index('<th scope="row">Deposit') :]
    deposit_row = deposit_row[: deposit_row.index("</tr>")]
    assert deposit_row.count("€450") == 3  # charged, paid, refunded
    assert deposit_row.rstrip().endswith('<td class="amount">€0</td>')


@pytest.mark.parametrize(
    ("language", "wording"), [("fr", "pas remboursables"), ("en", "not refundable")]
)
def test_the_application_fee_is_never_refunded(
    work_study: Application, bs_finance: User, language: str, wording: str
) -> None:
    with translation.override(language), pytest.raises(RefundNotAllowedError) as refused:
        refunds.request_refund(
            work_study,
            charge_kind=ChargeKind.APPLICATION_FEE,
            instalment=None,
            event=RefundEvent.CANDIDATE_WITHDRAWS,
            by=bs_finance,
        )
    assert refused.value.details == {"rule": "fee-never", "outcome": "refused_by_rule"}
    assert wording in refused.value.message  # the rule's own words, in the reader's language
    assert not RefundRequest.objects.exists()


def test_the_deposit_is_not_refunded_on_withdrawal(
    work_study: Application, bs_finance: User
) -> None:
    with pytest.raises(RefundNotAllowedError) as refused:
        refunds.request_refund(
            work_study,
            charge_kind=ChargeKind.DEPOSIT,
            instalment=None,
            event=RefundEvent.CANDIDATE_WITHDRAWS,
            by=bs_finance,
        )
    assert refused.value.details["rule"] == "deposit-withdrawal"  # type: ignore[index]


@pytest.mark.parametrize("status", ["withdrawn", "declined"])
@pytest.mark.usefixtures("validated")
def test_a_deposit_kept_on_withdrawal_is_refused_whatever_reason_staff_pick(
    work_study: Application, bs_finance: User, status: str
) -> None:
    Application.objects.filter(pk=work_study.pk).update(status=status)
    work_study.refresh_from_db()
    with translation.override("en"), pytest.raises(RefundNotAllowedError) as refused:
        refunds.request_refund(
            work_study,
            charge_kind=ChargeKind.DEPOSIT,
            instalment=None,
            event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
            by=bs_finance,
        )
    assert refused.value.details["rule"] == "deposit-withdrawal"  # type: ignore[index]
    assert refused.value.message == (
        "Refused whatever the reason given, because this file shows “The candidate "
        "withdraws”: The deposit is not refunded if you withdraw."
    )
    assert not RefundRequest.objects.exists()


@pytest.mark.usefixtures("validated")
def test_a_withdrawal_after_the_request_blocks_its_approval(
    work_study: Application, bs_finance: User
) -> None:
    request = refunds.request_refund(
        work_study,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        by=bs_finance,
    )
    Application.objects.filter(pk=work_study.pk).update(status="withdrawn")
    with pytest.raises(RefundNotAllowedError):
        refunds.approve_refund(request, by=bs_finance)
    request.refresh_from_db()
    assert request.status == RefundStatus.REQUESTED


def test_an_agreement_not_yet_validated_is_refused(
    work_study: Application, bs_finance: User
) -> None:
    with pytest.raises(RefundNotAllowedError) as refused:
        refunds.request_refund(
            work_study,
            charge_kind=ChargeKind.DEPOSIT,
            instalment=None,
            event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
            by=bs_finance,
        )
    assert refused.value.details["outcome"] == "proof_missing"  # type: ignore[index]


def test_first_instalment_refunded_on_a_proven_visa_refusal(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    application = make_application(nord_campaign, status="confirmed")
    _paid(application, ChargeKind.TUITION, 250_000, instalment=1)
    request = refunds.request_refund(
        application,
        charge_kind=ChargeKind.TUITION,
        instalment=1,
        event=RefundEvent.VISA_REFUSED,
        visa_refusal_proven=True,
        by=nord_finance,
    )
    assert request.rule_code == "first-instalment-visa"
    refunds.approve_refund(request, by=nord_finance)
    refunds.record_refund(request, by=nord_finance)
    assert ledger.line_of(application.pk, ChargeKind.TUITION, 1).refundable == 0


def test_anything_the_rulebook_does_not_list_is_refused(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    application = make_application(nord_campaign, status="confirmed")
    _paid(application, ChargeKind.CVEC, 10_000)
    with translation.override("en"), pytest.raises(RefundNotAllowedError) as refused:
        refunds.request_refund(
            application,
            charge_kind=ChargeKind.CVEC,
            instalment=None,
            event=RefundEvent.CANDIDATE_WITHDRAWS,
            by=nord_finance,
        )
    assert refused.value.details["outcome"] == "no_rule"  # type: ignore[index]
    assert "does not provide" in refused.value.message


@pytest.mark.usefixtures("validated")
def test_a_refund_cannot_exceed_what_was_paid(work_study: Application, bs_finance: User) -> None:
    with pytest.raises(LedgerError):
        refunds.request_refund(
            work_study,
            charge_kind=ChargeKind.DEPOSIT,
            instalment=None,
            event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
            by=bs_finance,
            amount_cents=45_001,
        )


@pytest.mark.usefixtures("validated")
def test_one_waiting_request_per_charge(work_study: Application, bs_finance: User) -> None:
    arguments = {
        "charge_kind": ChargeKind.DEPOSIT,
        "instalment": None,
        "event": RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        "by": bs_finance,
    }
    refunds.request_refund(work_study, **arguments)  # type: ignore[arg-type]
    with pytest.raises(IllegalMoveError):
        refunds.request_refund(work_study, **arguments)  # type: ignore[arg-type]


@pytest.mark.usefixtures("validated")
def test_rejection_needs_a_reason_and_closes_the_request(
    work_study: Application, bs_finance: User
) -> None:
    request = refunds.request_refund(
        work_study,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        by=bs_finance,
    )
    with pytest.raises(IllegalMoveError):
        refunds.reject_refund(request, by=bs_finance, note="  ")
    refunds.reject_refund(request, by=bs_finance, note="Agreement signed after the first quarter")
    request.refresh_from_db()
    assert request.status == RefundStatus.REJECTED
    with pytest.raises(IllegalMoveError):
        refunds.approve_refund(request, by=bs_finance)
    with pytest.raises(IllegalMoveError):
        refunds.record_refund(request, by=bs_finance)


@pytest.mark.usefixtures("validated")
def test_only_a_finance_officer_of_the_programme_approves(
    work_study: Application, bs_campaign: Campaign, nord_finance: User
) -> None:
    admissions_officer = staff(Role.ADMISSIONS_OFFICER, bs_campaign.institution)
    request = refunds.request_refund(
        work_study,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        by=admissions_officer,
    )
    with pytest.raises(NotAllowed):
        refunds.approve_refund(request, by=admissions_officer)
    with pytest.raises(NotAllowed):
        refunds.approve_refund(request, by=nord_finance)  # another institution
    other_programme = Programme.objects.filter(institution=bs_campaign.institution).exclude(
        pk=work_study.programme_id
    )
    assert not other_programme.exists()  # one programme: officers of it are officers of the file
    with pytest.raises(NotAllowed):
        refunds.request_refund(
            work_study,
            charge_kind=ChargeKind.DEPOSIT,
            instalment=None,
            event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
            by=nord_finance,
        )


# The deposit against a funding agreement validated through the documents pages -------------


def _ask_deposit(application: Application, by: User, **options: object) -> RefundRequest:
    return refunds.request_refund(
        application,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        by=by,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("prepare", "state"),
    [
        (lambda application: None, "Missing"),
        (
            lambda application: file_agreement(application, admissions_officer(application)),
            "Received, checks passed",
        ),
        (rejected_agreement, "Rejected by the admissions office"),
    ],
    ids=["no-agreement", "uploaded-not-validated", "rejected-by-staff"],
)
def test_the_deposit_is_refused_without_an_agreement_accepted_by_staff(
    work_study: Application, bs_finance: User, prepare: Callable[[Application], object], state: str
) -> None:
    prepare(work_study)
    with translation.override("en"), pytest.raises(RefundNotAllowedError) as refused:
        _ask_deposit(work_study, bs_finance)
    assert refused.value.details == {"rule": "deposit-funded", "outcome": "proof_missing"}
    message = refused.value.message
    assert "No validated funding agreement (“Funding agreement”: " in message
    assert state in message
    assert "agreement required" in message  # the rule's own wording
    assert not RefundRequest.objects.exists()
    assert actions(work_study) == []


def test_the_refusal_quotes_the_rule_in_french(work_study: Application, bs_finance: User) -> None:
    with translation.override("fr"), pytest.raises(RefundNotAllowedError) as refused:
        _ask_deposit(work_study, bs_finance)
    assert "(accord requis)" in refused.value.message
    assert "Accord de financement" in refused.value.message  # the document's French label


def test_a_translation_accepted_by_staff_is_no_agreement(
    work_study: Application, bs_finance: User
) -> None:
    document = file_agreement(work_study, admissions_officer(work_study))
    # A validated document of another requirement proves nothing either.
    Document.objects.filter(pk=document.pk).update(requirement_code="cv")
    Document.objects.create(
        application=work_study,
        requirement_code=AGREEMENT_CODE,
        state=DocumentState.ACCEPTED_BY_STAFF,
        translation_of=document,
    )
    assert refunds.accepted_documents(work_study) == frozenset()
    with pytest.raises(RefundNotAllowedError):
        _ask_deposit(work_study, bs_finance)


def test_a_validated_agreement_opens_the_refund_due_by_the_end_of_the_first_quarter(
    validated: Application, bs_finance: User
) -> None:
    request = _ask_deposit(validated, bs_finance)
    assert request.funding_agreement_validated
    event = ApplicationEvent.objects.get(application=validated, action="payment.refund_requested")
    assert event.details["due_on"] == "2025-01-14"  # starts_on 2024-10-14 + 3 months
    due = refunds.due_of(request, now=dt.datetime(2025, 1, 14, 22, 59, tzinfo=dt.UTC))
    assert (due.applies, due.on, due.overdue) == (True, dt.date(2025, 1, 14), False)
    assert due.at == dt.datetime(2025, 1, 14, 23, 0, tzinfo=dt.UTC)
    assert refunds.due_of(request, now=due.at).overdue
    refunds.approve_refund(request, by=bs_finance)
    refunds.record_refund(request, by=bs_finance)
    request.refresh_from_db()
    assert not refunds.due_of(request, now=due.at).overdue  # the money is back: not late
    entry = LedgerEntry.objects.get(kind=EntryKind.REFUND)
    assert (entry.charge_kind, entry.amount_cents, request.refund) == ("deposit", 45_000, entry)
    recorded = ApplicationEvent.objects.get(application=validated, action="payment.refunded")
    assert recorded.details["amount_cents"] == 45_000


def test_an_agreement_rejected_after_the_request_blocks_the_approval(
    validated: Application, bs_finance: User
) -> None:
    request = _ask_deposit(validated, bs_finance)
    document = Document.objects.get(application=validated, requirement_code=AGREEMENT_CODE)
    reject_document(document, by=admissions_officer(validated), reason="Signed by nobody")
    with translation.override("en"), pytest.raises(RefundNotAllowedError) as refused:
        refunds.approve_refund(request, by=bs_finance)
    assert "No validated funding agreement" in refused.value.message
    request.refresh_from_db()
    assert request.status == RefundStatus.REQUESTED
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()


def test_withdrawal_never_refunds_the_deposit_even_with_a_validated_agreement(
    validated: Application, bs_finance: User
) -> None:
    with translation.override("en"), pytest.raises(RefundNotAllowedError) as refused:
        refunds.request_refund(
            validated,
            charge_kind=ChargeKind.DEPOSIT,
            instalment=None,
            event=RefundEvent.CANDIDATE_WITHDRAWS,
            by=bs_finance,
        )
    assert refused.value.details == {"rule": "deposit-withdrawal", "outcome": "refused_by_rule"}
    assert refused.value.message == "The deposit is not refunded if you withdraw."


def test_the_agreement_the_school_files_never_holds_back_a_submission(
    bs_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(bs_campaign, track="work_study", financing_mode="opco")
    items = [item_for(r, None) for r in bs_campaign.rules.documents.requirements]
    assert {item.code: item.provided_by for item in items}[AGREEMENT_CODE] == "staff"
    problems = check_documents(application, items, dt.date(2024, 5, 1), "en")
    assert [problem.item for problem in problems] == ["cv"]


def test_the_agreement_is_found_only_for_the_funding_the_rule_names(
    bs_campaign: Campaign, make_application: MakeApplication
) -> None:
    personal = make_application(bs_campaign, track="full_time", financing_mode="personal")
    assert refunds.funding_agreement(personal) is None
    employer = make_application(
        bs_campaign, track="full_time", financing_mode="employer", owner=make_user()
    )
    agreement = refunds.funding_agreement(employer)
    assert agreement is not None
    assert (agreement.state, agreement.validated, agreement.label("fr")) == (
        DocumentState.MISSING,
        False,
        "Accord de financement",
    )


# The finance pages ---------------------------------------------------------------------------


def test_the_file_page_shows_the_agreement_instead_of_a_checkbox(
    client: Client, work_study: Application, bs_finance: User
) -> None:
    client.force_login(bs_finance)
    url = f"/en/office/finance/files/{work_study.reference}/"
    page = client.get(url).content.decode()
    assert 'name="funding_agreement_validated"' not in page
    assert "Funding agreement" in page
    assert "Missing" in page
    assert f"/documents/{work_study.reference}/#doc-{AGREEMENT_CODE}" in page
    assert "Refund due by 14 January 2025 (end of the day, Paris time)." in page
    validated_agreement(work_study)
    page = client.get(url).content.decode()
    assert "Accepted by the admissions office" in page
    assert "can be asked for" in page


def test_asking_from_the_file_page_without_a_validated_agreement_says_why(
    client: Client, work_study: Application, bs_finance: User
) -> None:
    file_agreement(work_study, admissions_officer(work_study))
    client.force_login(bs_finance)
    answer = client.post(
        f"/en/office/finance/files/{work_study.reference}/refund/",
        {"line": "deposit:0", "event": "funding_agreement_validated"},
    )
    assert answer.status_code == 200
    assert "No validated funding agreement" in answer.content.decode()
    assert not RefundRequest.objects.exists()


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (dt.datetime(2025, 1, 14, 23, 59, tzinfo=PARIS), False),
        (dt.datetime(2025, 1, 15, tzinfo=PARIS), True),
    ],
)
def test_the_refunds_page_flags_refunds_past_their_due_date(
    client: Client, validated: Application, bs_finance: User, today: dt.datetime, overdue: bool
) -> None:
    _ask_deposit(validated, bs_finance)
    client.force_login(bs_finance)
    with time_machine.travel(today, tick=False):
        page = client.get("/en/office/finance/refunds/").content.decode()
    assert "Refund due by 14 January 2025" in page
    assert ("Overdue" in page) is overdue


def test_an_unknown_start_date_is_said_rather_than_guessed() -> None:
    due = refunds.RefundDue(applies=True, on=None, at=None, overdue=False)
    with translation.override("en"):
        text = render_to_string("payments/finance/_refund_due.html", {"due": due})
    assert "Refund due date unknown: the programme has no start date" in text
    not_applicable = refunds.RefundDue(applies=False, on=None, at=None, overdue=False)
    assert (
        render_to_string("payments/finance/_refund_due.html", {"due": not_applicable}).strip() == ""
    )
