from pathlib import Path

import pytest

from admissions.rules.refunds import RefundFacts, RefundOutcome, decide_refund
from admissions.rules.rulebook import read_rulebook
from admissions.rules.schema import RefundRule, Text
from admissions.rules.vocabulary import ChargeKind, RefundEvent
from tests.payments.samples import bs, nord

AGREEMENT = RefundFacts(funding_agreement_validated=True)
VISA = RefundFacts(visa_refusal_proven=True)
NOTHING = RefundFacts()


@pytest.mark.parametrize("event", list(RefundEvent))
@pytest.mark.parametrize("rulebook", [nord, bs])
def test_the_application_fee_is_never_refunded(rulebook: object, event: RefundEvent) -> None:
    decision = decide_refund(
        rulebook().refunds,  # type: ignore[operator]
        charge=ChargeKind.APPLICATION_FEE,
        event=event,
        facts=RefundFacts(funding_agreement_validated=True, visa_refusal_proven=True),
        financing_mode="personal",
    )
    assert decision.outcome == RefundOutcome.REFUSED_BY_RULE
    assert decision.rule_code == "fee-never"
    assert not decision.allowed
    assert "not refundable" in decision.wording("en")
    assert "pas remboursables" in decision.wording("fr")


@pytest.mark.parametrize("mode", ["opco", "employer"])
def test_deposit_refunded_with_a_validated_funding_agreement(mode: str) -> None:
    decision = decide_refund(
        bs().refunds,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=AGREEMENT,
        financing_mode=mode,
    )
    assert decision.allowed
    assert decision.rule_code == "deposit-funded"
    assert decision.deadline("en") == "during the first quarter"
    assert decision.deadline("fr") == "au premier trimestre"


def test_deposit_agreement_not_yet_validated() -> None:
    decision = decide_refund(
        bs().refunds,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=NOTHING,
        financing_mode="opco",
    )
    assert decision.outcome == RefundOutcome.PROOF_MISSING
    assert decision.rule_code == "deposit-funded"
    assert not decision.allowed


def test_deposit_agreement_for_a_funding_the_rule_does_not_name() -> None:
    decision = decide_refund(
        bs().refunds,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=AGREEMENT,
        financing_mode="personal",
    )
    assert decision.outcome == RefundOutcome.NO_RULE
    assert decision.rule_code == ""
    assert decision.wording("fr") == ""


def test_deposit_not_refunded_on_withdrawal() -> None:
    decision = decide_refund(
        bs().refunds,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.CANDIDATE_WITHDRAWS,
        facts=AGREEMENT,
        financing_mode="opco",
    )
    assert decision.outcome == RefundOutcome.REFUSED_BY_RULE
    assert decision.rule_code == "deposit-withdrawal"
    assert "withdraw" in decision.wording("en")


@pytest.mark.parametrize(
    ("charge", "instalment"),
    [(ChargeKind.TUITION, 1), (ChargeKind.TUITION_FIRST_INSTALMENT, None)],
)
def test_first_instalment_refunded_on_visa_refusal(
    charge: ChargeKind, instalment: int | None
) -> None:
    decision = decide_refund(
        nord().refunds,
        charge=charge,
        instalment=instalment,
        event=RefundEvent.VISA_REFUSED,
        facts=VISA,
    )
    assert decision.allowed
    assert decision.rule_code == "first-instalment-visa"


def test_visa_refusal_must_be_proven() -> None:
    decision = decide_refund(
        nord().refunds,
        charge=ChargeKind.TUITION,
        instalment=1,
        event=RefundEvent.VISA_REFUSED,
        facts=NOTHING,
    )
    assert decision.outcome == RefundOutcome.PROOF_MISSING


def test_later_instalments_are_not_refunded_on_visa_refusal() -> None:
    decision = decide_refund(
        nord().refunds,
        charge=ChargeKind.TUITION,
        instalment=2,
        event=RefundEvent.VISA_REFUSED,
        facts=VISA,
    )
    assert decision.outcome == RefundOutcome.NO_RULE


@pytest.mark.parametrize(
    ("rulebook", "charge", "event"),
    [
        (nord, ChargeKind.CVEC, RefundEvent.VISA_REFUSED),
        (nord, ChargeKind.TUITION_FIRST_INSTALMENT, RefundEvent.CANDIDATE_WITHDRAWS),
        (nord, ChargeKind.TUITION, RefundEvent.UNFAVOURABLE_DECISION),
        (bs, ChargeKind.DEPOSIT, RefundEvent.VISA_REFUSED),
        (bs, ChargeKind.DEPOSIT, RefundEvent.ANY),
        (bs, ChargeKind.TUITION, RefundEvent.CANDIDATE_WITHDRAWS),
    ],
)
def test_anything_the_rulebook_does_not_list_is_refused(
    rulebook: object, charge: ChargeKind, event: RefundEvent
) -> None:
    decision = decide_refund(
        rulebook().refunds,  # type: ignore[operator]
        charge=charge,
        event=event,
        facts=RefundFacts(funding_agreement_validated=True, visa_refusal_proven=True),
        financing_mode="opco",
    )
    assert decision.outcome == RefundOutcome.NO_RULE
    assert not decision.allowed


def _rule(code: str, charge: ChargeKind, event: RefundEvent, allowed: bool) -> RefundRule:
    return RefundRule(
        code=code, charge=charge, event=event, allowed=allowed, wording=Text(fr=code, en=code)
    )


def test_a_rule_for_the_event_wins_over_a_rule_for_any_event() -> None:
    rules = [
        _rule("never", ChargeKind.CVEC, RefundEvent.ANY, allowed=False),
        _rule(
            "unless-unfavourable", ChargeKind.CVEC, RefundEvent.UNFAVOURABLE_DECISION, allowed=True
        ),
    ]
    allowed = decide_refund(
        rules, charge=ChargeKind.CVEC, event=RefundEvent.UNFAVOURABLE_DECISION, facts=NOTHING
    )
    assert (allowed.outcome, allowed.rule_code) == (RefundOutcome.ALLOWED, "unless-unfavourable")
    refused = decide_refund(
        rules, charge=ChargeKind.CVEC, event=RefundEvent.CANDIDATE_WITHDRAWS, facts=NOTHING
    )
    assert (refused.outcome, refused.rule_code) == (RefundOutcome.REFUSED_BY_RULE, "never")


def test_when_rules_of_the_same_rank_disagree_the_refusal_wins() -> None:
    rules = [
        _rule("yes", ChargeKind.CVEC, RefundEvent.CANDIDATE_WITHDRAWS, allowed=True),
        _rule("no", ChargeKind.CVEC, RefundEvent.CANDIDATE_WITHDRAWS, allowed=False),
    ]
    decision = decide_refund(
        rules, charge=ChargeKind.CVEC, event=RefundEvent.CANDIDATE_WITHDRAWS, facts=NOTHING
    )
    assert (decision.outcome, decision.rule_code) == (RefundOutcome.REFUSED_BY_RULE, "no")


def test_an_allowing_rule_for_any_event_needs_no_proof() -> None:
    rules = [_rule("always", ChargeKind.CVEC, RefundEvent.ANY, allowed=True)]
    decision = decide_refund(
        rules, charge=ChargeKind.CVEC, event=RefundEvent.CANDIDATE_WITHDRAWS, facts=NOTHING
    )
    assert decision.allowed


def test_a_whole_tuition_rule_covers_the_first_instalment_too() -> None:
    rules = [
        _rule(
            "tuition-unfavourable",
            ChargeKind.TUITION,
            RefundEvent.UNFAVOURABLE_DECISION,
            allowed=True,
        )
    ]
    decision = decide_refund(
        rules,
        charge=ChargeKind.TUITION,
        instalment=1,
        event=RefundEvent.UNFAVOURABLE_DECISION,
        facts=NOTHING,
    )
    assert decision.rule_code == "tuition-unfavourable"


def test_no_rules_at_all() -> None:
    decision = decide_refund([], charge=ChargeKind.DEPOSIT, event=RefundEvent.ANY, facts=NOTHING)
    assert decision.outcome == RefundOutcome.NO_RULE
    assert decision.deadline("en") == ""


PRESETS = Path(__file__).resolve().parents[2] / "src" / "admissions" / "rulebooks"


def test_shipped_refund_rules() -> None:
    nord_rules = read_rulebook(PRESETS / "imt-nord-europe.toml").rulebook.refunds
    bs_rules = read_rulebook(PRESETS / "imt-bs.toml").rulebook.refunds
    everything = RefundFacts(funding_agreement_validated=True, visa_refusal_proven=True)
    for rules in (nord_rules, bs_rules):
        for event in RefundEvent:
            fee = decide_refund(
                rules, charge=ChargeKind.APPLICATION_FEE, event=event, facts=everything
            )
            assert fee.outcome == RefundOutcome.REFUSED_BY_RULE
    visa = decide_refund(
        nord_rules,
        charge=ChargeKind.TUITION,
        instalment=1,
        event=RefundEvent.VISA_REFUSED,
        facts=VISA,
    )
    assert visa.allowed
    for mode in ("opco", "entreprise"):
        deposit = decide_refund(
            bs_rules,
            charge=ChargeKind.DEPOSIT,
            event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
            facts=AGREEMENT,
            financing_mode=mode,
        )
        assert deposit.allowed
    withdrawal = decide_refund(
        bs_rules,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.CANDIDATE_WITHDRAWS,
        facts=AGREEMENT,
        financing_mode="opco",
    )
    assert withdrawal.outcome == RefundOutcome.REFUSED_BY_RULE
