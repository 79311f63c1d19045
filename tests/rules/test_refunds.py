import copy
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules.deadlines import PARIS, end_of_day
from admissions.rules.refunds import (
    RefundFacts,
    RefundOutcome,
    add_months,
    decide_refund,
    refund_due_at,
    refund_due_on,
    refund_overdue,
)
from admissions.rules.rulebook import RulebookError, read_rulebook, validate_rulebook
from admissions.rules.schema import RefundRule, Text
from admissions.rules.vocabulary import ChargeKind, DocumentCondition, RefundEvent
from tests.payments.samples import bs, nord

AGREEMENT = RefundFacts(accepted_documents=frozenset({"funding-agreement"}))
PRESET_AGREEMENT = RefundFacts(accepted_documents=frozenset({"accord-financement"}))
VISA = RefundFacts(visa_refusal_proven=True)
NOTHING = RefundFacts()
EVERYTHING = RefundFacts(
    accepted_documents=frozenset({"funding-agreement", "accord-financement", "cv"}),
    visa_refusal_proven=True,
)


@pytest.mark.parametrize("event", list(RefundEvent))
@pytest.mark.parametrize("rulebook", [nord, bs])
def test_the_application_fee_is_never_refunded(rulebook: object, event: RefundEvent) -> None:
    decision = decide_refund(
        rulebook().refunds,  # type: ignore[operator]
        charge=ChargeKind.APPLICATION_FEE,
        event=event,
        facts=EVERYTHING,
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


@pytest.mark.parametrize("event", list(RefundEvent))
def test_a_withdrawal_on_file_refuses_the_deposit_whatever_the_reason_given(
    event: RefundEvent,
) -> None:
    withdrew = RefundFacts(
        accepted_documents=frozenset({"funding-agreement"}),
        events=frozenset({RefundEvent.CANDIDATE_WITHDRAWS}),
    )
    decision = decide_refund(
        bs().refunds,
        charge=ChargeKind.DEPOSIT,
        event=event,
        facts=withdrew,
        financing_mode="opco",
    )
    assert decision.outcome == RefundOutcome.REFUSED_BY_RULE
    assert decision.rule_code == "deposit-withdrawal"


def test_an_event_on_file_without_a_refusing_rule_changes_nothing() -> None:
    decision = decide_refund(
        bs().refunds,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=RefundFacts(
            accepted_documents=frozenset({"funding-agreement"}),
            events=frozenset({RefundEvent.UNFAVOURABLE_DECISION}),
        ),
        financing_mode="opco",
    )
    assert decision.allowed


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
        facts=EVERYTHING,
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
    for rules in (nord_rules, bs_rules):
        for event in RefundEvent:
            fee = decide_refund(
                rules, charge=ChargeKind.APPLICATION_FEE, event=event, facts=EVERYTHING
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
            facts=PRESET_AGREEMENT,
            financing_mode=mode,
        )
        assert deposit.allowed
    withdrawal = decide_refund(
        bs_rules,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.CANDIDATE_WITHDRAWS,
        facts=PRESET_AGREEMENT,
        financing_mode="opco",
    )
    assert withdrawal.outcome == RefundOutcome.REFUSED_BY_RULE


# The funding agreement is proven by its document, accepted by staff -------------------------


@pytest.mark.parametrize(
    "accepted",
    [frozenset(), frozenset({"cv"}), frozenset({"accord-financement"})],
    ids=["nothing", "another-document", "another-rulebooks-code"],
)
def test_only_the_rules_own_document_accepted_proves_the_agreement(
    accepted: frozenset[str],
) -> None:
    decision = decide_refund(
        bs().refunds,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=RefundFacts(accepted_documents=accepted, visa_refusal_proven=True),
        financing_mode="opco",
    )
    assert (decision.outcome, decision.rule_code) == (RefundOutcome.PROOF_MISSING, "deposit-funded")


def test_a_funding_rule_naming_no_document_can_never_be_proven() -> None:
    rules = [_rule("trust", ChargeKind.DEPOSIT, RefundEvent.FUNDING_AGREEMENT_VALIDATED, True)]
    decision = decide_refund(
        rules,
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        facts=EVERYTHING,
    )
    assert decision.outcome == RefundOutcome.PROOF_MISSING


def test_the_imt_bs_preset_proves_the_deposit_refund_with_a_staff_validated_agreement() -> None:
    rulebook = read_rulebook(PRESETS / "imt-bs.toml").rulebook
    (rule,) = [r for r in rulebook.refunds if r.event == RefundEvent.FUNDING_AGREEMENT_VALIDATED]
    assert (rule.charge, rule.proof_document, rule.due_months_after_start) == (
        ChargeKind.DEPOSIT,
        "accord-financement",
        3,
    )
    (agreement,) = [r for r in rulebook.documents.requirements if r.code == rule.proof_document]
    assert agreement.condition == DocumentCondition.COMPANY_FUNDED
    assert agreement.provided_by == "staff"  # never holds back a submission
    assert [str(f) for f in agreement.formats] == ["pdf"]


def _raw_bs() -> dict[str, Any]:
    return tomllib.loads((PRESETS / "imt-bs.toml").read_text(encoding="utf-8"))


def _funding_rule(data: dict[str, Any]) -> dict[str, Any]:
    rules: list[dict[str, Any]] = data["refunds"]
    return next(r for r in rules if r["event"] == "funding_agreement_validated")


def _problems(data: dict[str, Any]) -> str:
    with pytest.raises(RulebookError) as caught:
        validate_rulebook(data, source="test.toml")
    return str(caught.value)


def test_a_funding_rule_without_its_proof_document_is_refused() -> None:
    data = copy.deepcopy(_raw_bs())
    del _funding_rule(data)["proof_document"]
    assert "proof_document: missing" in _problems(data)


def test_a_proof_document_the_rulebook_does_not_list_is_refused() -> None:
    data = copy.deepcopy(_raw_bs())
    _funding_rule(data)["proof_document"] = "accord"
    assert 'proof_document: unknown document "accord"' in _problems(data)


def test_a_refusing_funding_rule_needs_no_proof_document() -> None:
    data = copy.deepcopy(_raw_bs())
    rule = _funding_rule(data)
    del rule["proof_document"]
    rule["allowed"] = False
    validate_rulebook(data, source="test.toml")


# The refund is due by the end of the first quarter -----------------------------------------


def _due_rule(months: int | None) -> RefundRule:
    return RefundRule(
        code="quarter",
        charge=ChargeKind.DEPOSIT,
        event=RefundEvent.FUNDING_AGREEMENT_VALIDATED,
        allowed=True,
        proof_document="agreement",
        due_months_after_start=months,
        wording=Text(fr="trimestre", en="quarter"),
    )


QUARTER = _due_rule(3)


@pytest.mark.parametrize(
    ("starts_on", "due_on"),
    [
        (dt.date(2024, 10, 14), dt.date(2025, 1, 14)),  # across the new year
        (dt.date(2024, 11, 30), dt.date(2025, 2, 28)),  # February is shorter
        (dt.date(2023, 11, 30), dt.date(2024, 2, 29)),  # ... except in a leap year
        (dt.date(2024, 12, 31), dt.date(2025, 3, 31)),
        (dt.date(2024, 1, 1), dt.date(2024, 4, 1)),
        (dt.date(2024, 8, 31), dt.date(2024, 11, 30)),
    ],
)
def test_the_first_quarter_ends_three_months_after_the_start(
    starts_on: dt.date, due_on: dt.date
) -> None:
    assert refund_due_on(QUARTER, starts_on) == due_on
    assert refund_due_at(QUARTER, starts_on) == end_of_day(due_on)


def test_the_due_instant_is_the_end_of_the_day_in_paris_winter_and_summer() -> None:
    winter = refund_due_at(QUARTER, dt.date(2024, 10, 14))  # 14 January, UTC+1
    assert winter == dt.datetime(2025, 1, 14, 23, 0, tzinfo=dt.UTC)
    summer = refund_due_at(QUARTER, dt.date(2024, 4, 15))  # 15 July, UTC+2
    assert summer == dt.datetime(2024, 7, 15, 22, 0, tzinfo=dt.UTC)
    assert summer.astimezone(PARIS).time() == dt.time(0, 0)


def test_a_refund_is_overdue_from_the_first_instant_after_its_last_day() -> None:
    due = refund_due_at(QUARTER, dt.date(2024, 10, 14))
    assert due is not None
    last_moment = dt.datetime(2025, 1, 14, 23, 59, 59, 999999, tzinfo=PARIS)
    assert not refund_overdue(due, last_moment)
    assert refund_overdue(due, dt.datetime(2025, 1, 15, 0, 0, tzinfo=PARIS))
    assert not refund_overdue(None, dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        refund_overdue(due, dt.datetime(2025, 2, 1))


def test_the_due_date_is_unknown_without_a_start_date_or_a_period() -> None:
    assert refund_due_on(QUARTER, None) is None
    assert refund_due_at(QUARTER, None) is None
    assert refund_due_on(_due_rule(None), dt.date(2024, 10, 14)) is None
    assert refund_due_on(None, dt.date(2024, 10, 14)) is None


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.integers(min_value=1, max_value=36),
)
def test_adding_months_lands_in_the_right_month_never_later_than_the_same_day(
    day: dt.date, months: int
) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    if result.day < day.day:  # clamped: the target month has no such day
        assert (result + dt.timedelta(days=1)).month != result.month
    assert refund_due_on(_due_rule(months), day) == result
