"""Whether a charge may be refunded, and by which rule of the rulebook.

Refunds exist only where the rulebook lists them. The decision names the rule it applied,
so staff and candidates read the school's own wording:

- no rule for this charge and event: refused (`NO_RULE`);
- a rule that refuses (the application fee "whatever the reason"): refused, with its rule;
- a rule that allows, on an event that must be proven while the proof is not in: refused
  (`PROOF_MISSING`). A funding agreement is proven only by the document the rule names
  (`proof_document`) once staff accepted it; a visa refusal by staff saying it is on file;
- otherwise: allowed, with its rule.

A rule limited to some financing modes applies only to files funded that way. A rule for
the event itself wins over a rule for any event; when two rules of the same rank disagree,
the refusal wins. What happened on the file counts whatever reason staff give: a rule that
refuses on an event the file shows (the candidate withdrew) refuses the refund even when it
is asked for on another event (a funding agreement). The first tuition instalment is looked up as
`tuition_first_instalment` first and as `tuition` after.

`refund_due_at` says by when an allowed refund is due: the end (Paris time) of the day that
falls `due_months_after_start` months after the programme's first day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from admissions.rules.deadlines import end_of_day
from admissions.rules.schema import RefundRule
from admissions.rules.vocabulary import ChargeKind, RefundEvent


class RefundOutcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED_BY_RULE = "refused_by_rule"
    PROOF_MISSING = "proof_missing"
    NO_RULE = "no_rule"


@dataclass(frozen=True)
class RefundFacts:
    """What is on file about the case."""

    # Requirement codes of the file's documents in the state accepted_by_staff.
    accepted_documents: frozenset[str] = frozenset()
    visa_refusal_proven: bool = False  # the consulate's refusal is on file
    # Events the file itself shows (the candidate withdrew, the jury said no), whatever
    # event the refund is asked for.
    events: frozenset[RefundEvent] = frozenset()


@dataclass(frozen=True)
class RefundDecision:
    outcome: RefundOutcome
    rule: RefundRule | None

    @property
    def allowed(self) -> bool:
        return self.outcome == RefundOutcome.ALLOWED

    @property
    def rule_code(self) -> str:
        return self.rule.code if self.rule else ""

    def wording(self, language: str) -> str:
        """The rule's own text in `language`; empty when no rule applies."""
        return self.rule.wording.get(language) if self.rule else ""

    def deadline(self, language: str) -> str:
        return self.rule.deadline.get(language) if self.rule and self.rule.deadline else ""


def _agreement_validated(rule: RefundRule, facts: RefundFacts) -> bool:
    # A rule naming no document can never be proven: refusing beats refunding on trust.
    return rule.proof_document is not None and rule.proof_document in facts.accepted_documents


# Events whose allowing rule holds only once the proof is on file.
_PROOF: dict[RefundEvent, Callable[[RefundRule, RefundFacts], bool]] = {
    RefundEvent.FUNDING_AGREEMENT_VALIDATED: _agreement_validated,
    RefundEvent.VISA_REFUSED: lambda _rule, facts: facts.visa_refusal_proven,
}


def rule_charge_kinds(charge: ChargeKind, instalment: int | None) -> tuple[ChargeKind, ...]:
    """The charge kinds rules may name for a ledger charge, most specific first."""
    if charge == ChargeKind.TUITION_FIRST_INSTALMENT or (
        charge == ChargeKind.TUITION and instalment == 1
    ):
        return (ChargeKind.TUITION_FIRST_INSTALMENT, ChargeKind.TUITION)
    return (charge,)


def _rules_for(
    rules: Sequence[RefundRule], kind: ChargeKind, financing_mode: str
) -> list[RefundRule]:
    return [
        rule
        for rule in rules
        if rule.charge == kind
        and (not rule.financing_modes or financing_mode in rule.financing_modes)
    ]


def decide_refund(
    rules: Sequence[RefundRule],
    *,
    charge: ChargeKind,
    event: RefundEvent,
    facts: RefundFacts,
    instalment: int | None = None,
    financing_mode: str = "",
) -> RefundDecision:
    kinds = rule_charge_kinds(charge, instalment)
    for kind in kinds:
        # A refusal on what the file shows wins over the reason chosen.
        happened = [
            rule
            for rule in _rules_for(rules, kind, financing_mode)
            if not rule.allowed and rule.event != RefundEvent.ANY and rule.event in facts.events
        ]
        if happened:
            return RefundDecision(RefundOutcome.REFUSED_BY_RULE, happened[0])
    for kind in kinds:
        for_charge = _rules_for(rules, kind, financing_mode)
        specific = [rule for rule in for_charge if rule.event == event]
        general = [rule for rule in for_charge if rule.event == RefundEvent.ANY]
        matching = specific or general
        if not matching:
            continue
        refusing = [rule for rule in matching if not rule.allowed]
        if refusing:
            return RefundDecision(RefundOutcome.REFUSED_BY_RULE, refusing[0])
        rule = matching[0]
        proof = _PROOF.get(event)
        if proof is not None and not proof(rule, facts):
            return RefundDecision(RefundOutcome.PROOF_MISSING, rule)
        return RefundDecision(RefundOutcome.ALLOWED, rule)
    return RefundDecision(RefundOutcome.NO_RULE, None)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def refund_due_on(rule: RefundRule | None, starts_on: dt.date | None) -> dt.date | None:
    """The last day (Paris) the refund is in time; None when it cannot be known.

    Unknown when the rule sets no `due_months_after_start` or the programme has no start
    date: callers say so rather than guess.
    """
    if rule is None or rule.due_months_after_start is None or starts_on is None:
        return None
    return add_months(starts_on, rule.due_months_after_start)


def refund_due_at(rule: RefundRule | None, starts_on: dt.date | None) -> dt.datetime | None:
    """The first instant (UTC) at which the refund is late: the end of its last day."""
    day = refund_due_on(rule, starts_on)
    return None if day is None else end_of_day(day)


def refund_overdue(due_at: dt.datetime | None, now: dt.datetime) -> bool:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return due_at is not None and now >= due_at
