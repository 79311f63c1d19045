from __future__ import annotations

import pytest
from django.utils import translation

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import NotAllowed
from admissions.payments import ledger, refunds
from admissions.payments.errors import IllegalMoveError, LedgerError, RefundNotAllowedError
from admissions.payments.models import EntryKind, LedgerEntry, Method, RefundRequest, RefundStatus
from admissions.people.models import Role, User
from admissions.rules.refunds import RefundFacts
from admissions.rules.vocabulary import ChargeKind, RefundEvent
from tests.payments.conftest import MakeApplication, staff

AGREEMENT = RefundFacts(funding_agreement_validated=True)


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


def actions(application: Application) -> list[str]:
    return list(
        ApplicationEvent.objects.filter(
            application=application, action__startswith="payment.refund"
        ).values_list("action", flat=True)
    )


def test_deposit_refund_with_a_validated_agreement_goes_through_approval(
    work_study: Application, bs_finance: User
) -> None:
    request = refunds.request_refund(
        work_study,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=AGREEMENT,
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
    assert ledger.balance_cents(work_study.pk, ChargeKind.DEPOSIT) == 45_000 - 45_000 + 45_000
    assert actions(work_study) == [
        "payment.refund_requested",
        "payment.refund_approved",
        "payment.refunded",
        "payment.refund_recorded",
    ]


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
            facts=AGREEMENT,
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
            facts=AGREEMENT,
            by=bs_finance,
        )
    assert refused.value.details["rule"] == "deposit-withdrawal"  # type: ignore[index]


def test_an_agreement_not_yet_validated_is_refused(
    work_study: Application, bs_finance: User
) -> None:
    with pytest.raises(RefundNotAllowedError) as refused:
        refunds.request_refund(
            work_study,
            charge_kind=ChargeKind.DEPOSIT,
            instalment=None,
            event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
            facts=RefundFacts(),
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
        facts=RefundFacts(visa_refusal_proven=True),
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
            facts=RefundFacts(),
            by=nord_finance,
        )
    assert refused.value.details["outcome"] == "no_rule"  # type: ignore[index]
    assert "does not provide" in refused.value.message


def test_a_refund_cannot_exceed_what_was_paid(work_study: Application, bs_finance: User) -> None:
    with pytest.raises(LedgerError):
        refunds.request_refund(
            work_study,
            charge_kind=ChargeKind.DEPOSIT,
            instalment=None,
            event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
            facts=AGREEMENT,
            by=bs_finance,
            amount_cents=45_001,
        )


def test_one_waiting_request_per_charge(work_study: Application, bs_finance: User) -> None:
    arguments = {
        "charge_kind": ChargeKind.DEPOSIT,
        "instalment": None,
        "event": RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        "facts": AGREEMENT,
        "by": bs_finance,
    }
    refunds.request_refund(work_study, **arguments)  # type: ignore[arg-type]
    with pytest.raises(IllegalMoveError):
        refunds.request_refund(work_study, **arguments)  # type: ignore[arg-type]


def test_rejection_needs_a_reason_and_closes_the_request(
    work_study: Application, bs_finance: User
) -> None:
    request = refunds.request_refund(
        work_study,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=AGREEMENT,
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


def test_only_a_finance_officer_of_the_programme_approves(
    work_study: Application, bs_campaign: Campaign, nord_finance: User
) -> None:
    admissions_officer = staff(Role.ADMISSIONS_OFFICER, bs_campaign.institution)
    request = refunds.request_refund(
        work_study,
        charge_kind=ChargeKind.DEPOSIT,
        instalment=None,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=AGREEMENT,
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
            facts=AGREEMENT,
            by=nord_finance,
        )
