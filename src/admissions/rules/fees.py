"""What a candidate pays, read from the rulebook: application fee, deposit, tuition, CVEC.

Every amount comes out in integer cents. A choice the rulebook does not offer (an unknown
programme or financing mode, a track the programme or the mode does not have) raises
`FeeError` with a code the caller turns into a message in the candidate's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from admissions.rules.instalments import Instalment, schedule
from admissions.rules.money import to_cents
from admissions.rules.schema import FinancingMode, Programme, Rulebook, Text
from admissions.rules.vocabulary import (
    ChargeKind,
    FeeDue,
    FinancingCategory,
    PaymentMethod,
    Track,
)


class FeeErrorCode(StrEnum):
    UNKNOWN_PROGRAMME = "unknown_programme"
    UNKNOWN_FINANCING_MODE = "unknown_financing_mode"
    TRACK_NOT_OFFERED = "track_not_offered"  # by the programme
    MODE_NOT_FOR_TRACK = "mode_not_for_track"  # the financing mode excludes the track


class FeeError(ValueError):
    def __init__(self, code: FeeErrorCode, subject: str) -> None:
        super().__init__(f"{code.value}: {subject}")
        self.code = code
        self.subject = subject


class Payer(StrEnum):
    CANDIDATE = "candidate"
    FUNDER = "funder"  # the financing mode's funder: an OPCO, the employer, a region


# The charges a funder pays in the candidate's place.
FUNDED_CHARGES = frozenset({ChargeKind.TUITION, ChargeKind.TUITION_FIRST_INSTALMENT})


@dataclass(frozen=True)
class CostLine:
    charge_kind: ChargeKind
    amount_cents: int
    due: FeeDue
    payer: Payer = Payer.CANDIDATE
    # False for the CVEC paid to the CROUS: the candidate pays it, not to the school.
    paid_to_school: bool = True


@dataclass(frozen=True)
class CostEstimate:
    programme: str
    financing_mode: str
    category: FinancingCategory
    track: Track
    lines: tuple[CostLine, ...]
    instalments: tuple[Instalment, ...]  # of the tuition line
    funder: Text | None = None  # who pays the funder's lines

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def candidate_lines(self) -> tuple[CostLine, ...]:
        return tuple(line for line in self.lines if line.payer == Payer.CANDIDATE)

    @property
    def funder_lines(self) -> tuple[CostLine, ...]:
        return tuple(line for line in self.lines if line.payer == Payer.FUNDER)

    @property
    def candidate_total_cents(self) -> int:
        return sum(line.amount_cents for line in self.candidate_lines)

    @property
    def funder_total_cents(self) -> int:
        return sum(line.amount_cents for line in self.funder_lines)

    def amount(self, charge_kind: ChargeKind) -> int:
        return sum(line.amount_cents for line in self.lines if line.charge_kind == charge_kind)


def programme_of(rulebook: Rulebook, slug: str) -> Programme:
    try:
        return rulebook.programme(slug)
    except KeyError:
        raise FeeError(FeeErrorCode.UNKNOWN_PROGRAMME, slug) from None


def financing_mode_of(rulebook: Rulebook, code: str) -> FinancingMode:
    try:
        return rulebook.financing_mode(code)
    except KeyError:
        raise FeeError(FeeErrorCode.UNKNOWN_FINANCING_MODE, code) from None


def financing_category(rulebook: Rulebook, financing_mode: str) -> FinancingCategory:
    return financing_mode_of(rulebook, financing_mode).category


def payer_of(rulebook: Rulebook, financing_mode: str, kind: ChargeKind) -> Payer:
    """Who owes a charge: the funder of the financing mode for tuition, else the candidate."""
    mode = financing_mode_of(rulebook, financing_mode)
    if mode.funder is not None and kind in FUNDED_CHARGES:
        return Payer.FUNDER
    return Payer.CANDIDATE


def paid_to_school(rulebook: Rulebook, kind: ChargeKind) -> bool:
    """Whether the school collects the charge (the CVEC may go to the CROUS instead)."""
    cvec = rulebook.fees.cvec
    return not (kind == ChargeKind.CVEC and cvec is not None and cvec.collected_by == "crous")


def request_by(rulebook: Rulebook, *, programme: str, financing_mode: str) -> dt.date | None:
    """The last day to ask for the funding (N weeks before the start); None when not set."""
    weeks = financing_mode_of(rulebook, financing_mode).request_weeks_before_start
    starts_on = programme_of(rulebook, programme).starts_on
    if weeks is None or starts_on is None:
        return None
    return starts_on - dt.timedelta(weeks=weeks)


def modes_for_track(rulebook: Rulebook, track: Track | str) -> list[FinancingMode]:
    """The financing modes open to a track, in the rulebook's order."""
    return [mode for mode in rulebook.financing_modes if not mode.tracks or track in mode.tracks]


def check_choice(rulebook: Rulebook, *, programme: str, financing_mode: str, track: Track) -> None:
    """Raise FeeError unless the programme offers `track` and the mode applies to it."""
    offered = programme_of(rulebook, programme)
    mode = financing_mode_of(rulebook, financing_mode)
    if track not in offered.tracks:
        raise FeeError(FeeErrorCode.TRACK_NOT_OFFERED, f"{programme}/{track.value}")
    if mode.tracks and track not in mode.tracks:
        raise FeeError(FeeErrorCode.MODE_NOT_FOR_TRACK, f"{financing_mode}/{track.value}")


def application_fee_cents(rulebook: Rulebook) -> int:
    return to_cents(rulebook.fees.application.amount)


def deposit_cents(rulebook: Rulebook, track: Track) -> int:
    """The deposit asked on admission: only on the tracks the rulebook names, else 0."""
    deposit = rulebook.fees.deposit
    if deposit is None or track not in deposit.tracks:
        return 0
    return to_cents(deposit.amount)


def tuition_cents(rulebook: Rulebook, *, programme: str, financing_mode: str) -> int:
    """The programme's own rates if it has them, else the rulebook's default rates."""
    programme_of(rulebook, programme)
    rates = rulebook.tuition_for(programme)
    category = financing_category(rulebook, financing_mode)
    if category == FinancingCategory.COMPANY:
        return to_cents(rates.company)
    return to_cents(rates.personal)


def cvec_cents(rulebook: Rulebook, *, financing_mode: str) -> int:
    cvec = rulebook.fees.cvec
    if cvec is None:
        return 0
    category = financing_category(rulebook, financing_mode)
    if cvec.payable_by == "not_company_funded" and category == FinancingCategory.COMPANY:
        return 0
    return to_cents(cvec.amount)


def tuition_schedule(
    rulebook: Rulebook, *, programme: str, financing_mode: str
) -> tuple[Instalment, ...]:
    """The tuition's instalments; a single one at registration when there is no plan."""
    total = tuition_cents(rulebook, programme=programme, financing_mode=financing_mode)
    plan = rulebook.payment_plan
    return schedule(
        total,
        count=plan.instalments if plan else 1,
        first_due=plan.first_due if plan else FeeDue.REGISTRATION,
        duration_months=programme_of(rulebook, programme).duration_months,
    )


def estimate(
    rulebook: Rulebook, *, programme: str, financing_mode: str, track: Track
) -> CostEstimate:
    """Everything a candidate pays for one programme, financing mode and track."""
    check_choice(rulebook, programme=programme, financing_mode=financing_mode, track=track)
    instalments = tuition_schedule(rulebook, programme=programme, financing_mode=financing_mode)
    tuition_due = instalments[0].due or FeeDue.REGISTRATION
    tuition_payer = payer_of(rulebook, financing_mode, ChargeKind.TUITION)
    candidates = [
        CostLine(ChargeKind.APPLICATION_FEE, application_fee_cents(rulebook), FeeDue.APPLICATION),
        CostLine(
            ChargeKind.DEPOSIT,
            deposit_cents(rulebook, track),
            rulebook.fees.deposit.due if rulebook.fees.deposit else FeeDue.CONFIRMATION,
        ),
        CostLine(
            ChargeKind.TUITION,
            tuition_cents(rulebook, programme=programme, financing_mode=financing_mode),
            tuition_due,
            payer=tuition_payer,
        ),
        CostLine(
            ChargeKind.CVEC,
            cvec_cents(rulebook, financing_mode=financing_mode),
            tuition_due,
            paid_to_school=paid_to_school(rulebook, ChargeKind.CVEC),
        ),
    ]
    mode = financing_mode_of(rulebook, financing_mode)
    return CostEstimate(
        programme=programme,
        financing_mode=financing_mode,
        category=mode.category,
        track=track,
        lines=tuple(line for line in candidates if line.amount_cents > 0),
        instalments=instalments,
        funder=mode.funder,
    )


def charge_amount(
    rulebook: Rulebook,
    kind: ChargeKind,
    *,
    programme: str,
    financing_mode: str,
    track: Track,
) -> int:
    """The amount of one kind of charge for this candidate (0 when it does not apply)."""
    match kind:
        case ChargeKind.APPLICATION_FEE:
            return application_fee_cents(rulebook)
        case ChargeKind.DEPOSIT:
            return deposit_cents(rulebook, track)
        case ChargeKind.CVEC:
            return cvec_cents(rulebook, financing_mode=financing_mode)
        case ChargeKind.TUITION:
            return tuition_cents(rulebook, programme=programme, financing_mode=financing_mode)
        case ChargeKind.TUITION_FIRST_INSTALMENT:
            instalments = tuition_schedule(
                rulebook, programme=programme, financing_mode=financing_mode
            )
            return instalments[0].amount_cents
        case _:
            assert_never(kind)


def confirmation_amounts(
    rulebook: Rulebook, *, programme: str, financing_mode: str, track: Track
) -> list[tuple[ChargeKind, int]]:
    """What an admitted candidate pays the school to confirm a place, in the rulebook's order.

    `confirmation.charges` names the kinds; each is priced for this candidate, and a kind
    that costs them nothing (no deposit on their track, no CVEC when a company pays) is left
    out, as is one a funder pays in their place or that is paid to someone else than the
    school (the CVEC to the CROUS): a candidate never waits for a funder to confirm.
    """
    amounts: list[tuple[ChargeKind, int]] = []
    for kind in rulebook.confirmation.charges:
        if payer_of(rulebook, financing_mode, kind) != Payer.CANDIDATE:
            continue
        if not paid_to_school(rulebook, kind):
            continue
        cents = charge_amount(
            rulebook, kind, programme=programme, financing_mode=financing_mode, track=track
        )
        if cents > 0:
            amounts.append((kind, cents))
    return amounts


def payment_methods(rulebook: Rulebook, kind: ChargeKind) -> tuple[PaymentMethod, ...]:
    """How a charge may be paid.

    The application fee and the deposit are paid the way the application fee is (that is how
    the school takes money before registration); tuition the way the payment plan says; the
    CVEC like tuition but never by direct debit, which collects instalments only. Without a
    plan, tuition and CVEC are paid like the application fee.
    """
    fee_methods = tuple(rulebook.fees.application.methods)
    plan = rulebook.payment_plan
    match kind:
        case ChargeKind.APPLICATION_FEE | ChargeKind.DEPOSIT:
            return fee_methods
        case ChargeKind.TUITION | ChargeKind.TUITION_FIRST_INSTALMENT:
            return tuple(plan.methods) if plan else fee_methods
        case ChargeKind.CVEC:
            if plan is None:
                return fee_methods
            methods = tuple(m for m in plan.methods if m != PaymentMethod.SEPA_DIRECT_DEBIT)
            return methods or fee_methods
        case _:
            assert_never(kind)
