"""Whether a charge may be refunded, and by which rule of the rulebook.

Refunds exist only where the rulebook lists them. The decision names the rule it applied,
so staff and candidates read the school's own wording:

- no rule for this charge and event: refused (`NO_RULE`);
- a rule that refuses (the application fee "whatever the reason"): refused, with its rule;
- a rule that allows, on an event that must be proven (a validated OPCO or employer
  agreement, a visa refusal) while the proof is not in: refused (`PROOF_MISSING`);
- otherwise: allowed, with its rule.

A rule limited to some financing modes applies only to files funded that way. A rule for
the event itself wins over a rule for any event; when two rules of the same rank disagree,
the refusal wins. The first tuition instalment is looked up as
`tuition_first_instalment` first and as `tuition` after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from admissions.rules.schema import RefundRule
from admissions.rules.vocabulary import ChargeKind, RefundEvent


class RefundOutcome(StrEnum):
    ALLOWED = "allowed"
    REFUSED_BY_RULE = "refused_by_rule"
    PROOF_MISSING = "proof_missing"
    NO_RULE = "no_rule"


@dataclass(frozen=True)
class RefundFacts:
    """What staff have checked about the case."""

    funding_agreement_validated: bool = False  # OPCO or employer agreement received and valid
    visa_refusal_proven: bool = False  # the consulate's refusal is on file


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


# Events whose allowing rule holds only once staff have the proof on file.
_PROOF: dict[RefundEvent, Callable[[RefundFacts], bool]] = {
    RefundEvent.FUNDING_AGREEMENT_VALIDATED: lambda facts: facts.funding_agreement_validated,
    RefundEvent.VISA_REFUSED: lambda facts: facts.visa_refusal_proven,
}


def rule_charge_kinds(charge: ChargeKind, instalment: int | None) -> tuple[ChargeKind, ...]:
    """The charge kinds rules may name for a ledger charge, most specific first."""
    if charge == ChargeKind.TUITION_FIRST_INSTALMENT or (
        charge == ChargeKind.TUITION and instalment == 1
    ):
        return (ChargeKind.TUITION_FIRST_INSTALMENT, ChargeKind.TUITION)
    return (charge,)


def decide_refund(
    rules: Sequence[RefundRule],
    *,
    charge: ChargeKind,
    event: RefundEvent,
    facts: RefundFacts,
    instalment: int | None = None,
    financing_mode: str = "",
) -> RefundDecision:
    for kind in rule_charge_kinds(charge, instalment):
        for_charge = [
            rule
            for rule in rules
            if rule.charge == kind
            and (not rule.financing_modes or financing_mode in rule.financing_modes)
        ]
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
        if proof is not None and not proof(facts):
            return RefundDecision(RefundOutcome.PROOF_MISSING, rule)
        return RefundDecision(RefundOutcome.ALLOWED, rule)
    return RefundDecision(RefundOutcome.NO_RULE, None)
