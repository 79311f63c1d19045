from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules import fees
from admissions.rules.fees import FeeError, FeeErrorCode
from admissions.rules.rulebook import read_rulebook
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import ChargeKind, FeeDue, FinancingCategory, PaymentMethod, Track
from tests.payments.samples import bs, nord


def test_application_fees() -> None:
    assert fees.application_fee_cents(nord()) == 6_000
    assert fees.application_fee_cents(bs()) == 8_000


@pytest.mark.parametrize(
    ("programme", "mode", "cents"),
    [
        ("data", "personal", 750_000),
        ("data", "job-seeker", 750_000),
        ("data", "employer", 1_250_000),
        ("data", "transition-pro", 1_250_000),
        ("cyber", "personal", 900_000),
        ("cyber", "employer", 1_400_000),
    ],
)
def test_tuition_by_programme_and_funding(programme: str, mode: str, cents: int) -> None:
    assert fees.tuition_cents(nord(), programme=programme, financing_mode=mode) == cents


@pytest.mark.parametrize(
    ("mode", "cents"),
    [("personal", 10_000), ("job-seeker", 10_000), ("employer", 0), ("transition-pro", 0)],
)
def test_cvec_only_when_no_company_pays(mode: str, cents: int) -> None:
    assert fees.cvec_cents(nord(), financing_mode=mode) == cents


def test_no_cvec_where_the_rulebook_has_none() -> None:
    assert fees.cvec_cents(bs(), financing_mode="personal") == 0


def test_cvec_payable_by_everyone() -> None:
    data = nord().model_dump(mode="json")
    data["fees"]["cvec"]["payable_by"] = "everyone"
    rulebook = Rulebook.model_validate(data)
    assert fees.cvec_cents(rulebook, financing_mode="employer") == 10_000


def test_deposit_depends_on_the_track() -> None:
    assert fees.deposit_cents(bs(), Track.WORK_STUDY) == 45_000
    assert fees.deposit_cents(bs(), Track.FULL_TIME) == 0
    assert fees.deposit_cents(nord(), Track.FULL_TIME) == 0


def test_estimate_for_a_self_funded_cybersecurity_candidate() -> None:
    estimate = fees.estimate(
        nord(), programme="cyber", financing_mode="personal", track=Track.FULL_TIME
    )
    assert [(line.charge_kind, line.amount_cents, line.due) for line in estimate.lines] == [
        (ChargeKind.APPLICATION_FEE, 6_000, FeeDue.APPLICATION),
        (ChargeKind.TUITION, 900_000, FeeDue.REGISTRATION),
        (ChargeKind.CVEC, 10_000, FeeDue.REGISTRATION),
    ]
    assert estimate.total_cents == 916_000
    assert estimate.category == FinancingCategory.PERSONAL
    assert [i.amount_cents for i in estimate.instalments] == [300_000, 300_000, 300_000]
    assert [i.month_offset for i in estimate.instalments] == [0, 4, 8]
    assert estimate.amount(ChargeKind.DEPOSIT) == 0


def test_estimate_for_a_company_funded_work_study_candidate() -> None:
    estimate = fees.estimate(
        bs(), programme="management", financing_mode="opco", track=Track.WORK_STUDY
    )
    kinds = {line.charge_kind: line.amount_cents for line in estimate.lines}
    assert kinds == {
        ChargeKind.APPLICATION_FEE: 8_000,
        ChargeKind.DEPOSIT: 45_000,
        ChargeKind.TUITION: 1_850_000,
    }
    # No payment plan: the tuition is one instalment at registration.
    assert [(i.amount_cents, i.due) for i in estimate.instalments] == [
        (1_850_000, FeeDue.REGISTRATION)
    ]


@pytest.mark.parametrize(
    ("rulebook", "programme", "mode", "track", "code"),
    [
        (nord, "nope", "personal", Track.FULL_TIME, FeeErrorCode.UNKNOWN_PROGRAMME),
        (nord, "data", "nope", Track.FULL_TIME, FeeErrorCode.UNKNOWN_FINANCING_MODE),
        (nord, "data", "personal", Track.WORK_STUDY, FeeErrorCode.TRACK_NOT_OFFERED),
        (bs, "management", "opco", Track.FULL_TIME, FeeErrorCode.MODE_NOT_FOR_TRACK),
        (bs, "management", "personal", Track.WORK_STUDY, FeeErrorCode.MODE_NOT_FOR_TRACK),
    ],
)
def test_choices_the_rulebook_does_not_offer(
    rulebook: object, programme: str, mode: str, track: Track, code: FeeErrorCode
) -> None:
    with pytest.raises(FeeError) as error:
        fees.estimate(rulebook(), programme=programme, financing_mode=mode, track=track)  # type: ignore[operator]
    assert error.value.code == code


def test_confirmation_amounts_follow_the_rulebook() -> None:
    assert fees.confirmation_amounts(
        nord(), programme="data", financing_mode="personal", track=Track.FULL_TIME
    ) == [(ChargeKind.TUITION_FIRST_INSTALMENT, 250_000), (ChargeKind.CVEC, 10_000)]
    # A company pays: no CVEC, and the first instalment of the company rate.
    assert fees.confirmation_amounts(
        nord(), programme="data", financing_mode="employer", track=Track.FULL_TIME
    ) == [(ChargeKind.TUITION_FIRST_INSTALMENT, 416_667)]
    assert fees.confirmation_amounts(
        bs(), programme="management", financing_mode="opco", track=Track.WORK_STUDY
    ) == [(ChargeKind.DEPOSIT, 45_000)]
    # Full time at IMT-BS: no deposit, nothing to pay to confirm.
    assert (
        fees.confirmation_amounts(
            bs(), programme="management", financing_mode="personal", track=Track.FULL_TIME
        )
        == []
    )


def test_every_charge_kind_is_priced() -> None:
    for kind in ChargeKind:
        cents = fees.charge_amount(
            nord(), kind, programme="data", financing_mode="personal", track=Track.FULL_TIME
        )
        assert cents >= 0
    assert (
        fees.charge_amount(
            nord(),
            ChargeKind.TUITION,
            programme="data",
            financing_mode="employer",
            track=Track.FULL_TIME,
        )
        == 1_250_000
    )


choices = st.sampled_from(
    [
        (nord, programme, mode, Track.FULL_TIME)
        for programme in ("data", "cyber")
        for mode in ("personal", "job-seeker", "employer", "transition-pro")
    ]
    + [
        (bs, "management", "personal", Track.FULL_TIME),
        (bs, "management", "opco", Track.WORK_STUDY),
        (bs, "management", "employer", Track.WORK_STUDY),
        (bs, "management", "employer", Track.FULL_TIME),
    ]
)


@given(choices)
def test_totals_and_instalments_add_up(choice: tuple) -> None:  # type: ignore[type-arg]
    rulebook, programme, mode, track = choice
    estimate = fees.estimate(rulebook(), programme=programme, financing_mode=mode, track=track)
    assert estimate.total_cents == sum(line.amount_cents for line in estimate.lines)
    assert sum(i.amount_cents for i in estimate.instalments) == estimate.amount(ChargeKind.TUITION)
    assert all(line.amount_cents > 0 for line in estimate.lines)


def test_payment_methods_follow_the_rulebook() -> None:
    transfer, card, debit = (
        PaymentMethod.BANK_TRANSFER,
        PaymentMethod.CARD,
        PaymentMethod.SEPA_DIRECT_DEBIT,
    )
    assert fees.payment_methods(nord(), ChargeKind.APPLICATION_FEE) == (transfer,)
    assert fees.payment_methods(nord(), ChargeKind.TUITION) == (transfer, debit)
    assert fees.payment_methods(nord(), ChargeKind.TUITION_FIRST_INSTALMENT) == (transfer, debit)
    assert fees.payment_methods(nord(), ChargeKind.CVEC) == (transfer,)
    assert fees.payment_methods(bs(), ChargeKind.APPLICATION_FEE) == (card,)
    assert fees.payment_methods(bs(), ChargeKind.DEPOSIT) == (card,)
    assert fees.payment_methods(bs(), ChargeKind.TUITION) == (card,)
    assert fees.payment_methods(bs(), ChargeKind.CVEC) == (card,)


def test_cvec_falls_back_to_the_fee_methods_when_the_plan_only_debits() -> None:
    data = nord().model_dump(mode="json")
    data["payment_plan"]["methods"] = ["sepa_direct_debit"]
    rulebook = Rulebook.model_validate(data)
    assert fees.payment_methods(rulebook, ChargeKind.CVEC) == (PaymentMethod.BANK_TRANSFER,)


# The shipped presets carry the seed documents' figures.
PRESETS = Path(__file__).resolve().parents[2] / "src" / "admissions" / "rulebooks"


def _preset(name: str) -> Rulebook:
    return read_rulebook(PRESETS / f"{name}.toml").rulebook


def test_imt_nord_europe_preset_figures() -> None:
    rules = _preset("imt-nord-europe")
    assert fees.application_fee_cents(rules) == 6_000
    assert fees.payment_methods(rules, ChargeKind.APPLICATION_FEE) == (PaymentMethod.BANK_TRANSFER,)
    other = next(p.slug for p in rules.programmes if p.slug != "ms-cybersecurite")
    for programme, personal, company in (
        (other, 750_000, 1_250_000),
        ("ms-cybersecurite", 900_000, 1_400_000),
    ):
        assert (
            fees.tuition_cents(rules, programme=programme, financing_mode="personnel") == personal
        )
        assert (
            fees.tuition_cents(rules, programme=programme, financing_mode="demandeur-emploi")
            == personal
        )
        assert (
            fees.tuition_cents(
                rules, programme=programme, financing_mode="plan-formation-entreprise"
            )
            == company
        )
        assert (
            fees.tuition_cents(rules, programme=programme, financing_mode="transition-pro")
            == company
        )
    assert fees.cvec_cents(rules, financing_mode="personnel") == 10_000
    assert fees.cvec_cents(rules, financing_mode="plan-formation-entreprise") == 0
    plan = fees.tuition_schedule(rules, programme=other, financing_mode="personnel")
    assert [i.amount_cents for i in plan] == [250_000, 250_000, 250_000]
    assert plan[0].due == FeeDue.REGISTRATION


def test_imt_bs_preset_figures() -> None:
    rules = _preset("imt-bs")
    assert fees.application_fee_cents(rules) == 8_000
    assert fees.payment_methods(rules, ChargeKind.APPLICATION_FEE) == (PaymentMethod.CARD,)
    assert fees.deposit_cents(rules, Track.WORK_STUDY) == 45_000
    assert fees.deposit_cents(rules, Track.FULL_TIME) == 0
    # Paid to the CROUS by every student (an invented value the school must confirm).
    assert fees.cvec_cents(rules, financing_mode="personnel") == 10_300
    assert not fees.paid_to_school(rules, ChargeKind.CVEC)


# Who pays what -------------------------------------------------------------------------


def test_an_opco_pays_the_tuition_of_a_work_study_candidate_at_imt_bs() -> None:
    rules = _preset("imt-bs")
    estimate = fees.estimate(
        rules, programme="ms-data-ia-management", financing_mode="opco", track=Track.WORK_STUDY
    )
    assert estimate.funder is not None
    assert estimate.funder.en == "your employer's OPCO"
    assert [(line.charge_kind, line.payer) for line in estimate.funder_lines] == [
        (ChargeKind.TUITION, fees.Payer.FUNDER)
    ]
    assert estimate.funder_total_cents == 1_550_000
    # The candidate pays the application fee, the deposit and the CVEC (to the CROUS).
    assert estimate.candidate_total_cents == 8_000 + 45_000 + 10_300
    assert estimate.total_cents == estimate.candidate_total_cents + estimate.funder_total_cents


def test_personal_funding_leaves_everything_to_the_candidate() -> None:
    rules = _preset("imt-nord-europe")
    estimate = fees.estimate(
        rules, programme="ms-cybersecurite", financing_mode="personnel", track=Track.FULL_TIME
    )
    assert estimate.funder is None
    assert estimate.funder_lines == ()
    assert estimate.candidate_total_cents == 6_000 + 900_000 + 10_000


def test_the_region_pays_a_place_it_funds() -> None:
    rules = _preset("imt-nord-europe")
    estimate = fees.estimate(
        rules,
        programme="ms-batiment-bas-carbone",
        financing_mode="region-hauts-de-france",
        track=Track.FULL_TIME,
    )
    assert estimate.funder is not None
    assert estimate.funder.fr == "la Région Hauts-de-France"
    assert estimate.funder_total_cents == 750_000
    assert estimate.candidate_total_cents == 6_000 + 10_000


def test_confirming_never_waits_for_a_funder_nor_asks_the_cvec_paid_to_the_crous() -> None:
    rules = _preset("imt-nord-europe")
    common = {"programme": "ms-cybersecurite", "track": Track.FULL_TIME}
    assert fees.confirmation_amounts(rules, financing_mode="personnel", **common) == [
        (ChargeKind.TUITION_FIRST_INSTALMENT, 300_000)
    ]
    assert fees.confirmation_amounts(rules, financing_mode="transition-pro", **common) == []


def test_modes_for_a_track_are_the_ones_open_to_it() -> None:
    rules = _preset("imt-bs")
    assert [m.code for m in fees.modes_for_track(rules, Track.WORK_STUDY)] == [
        "entreprise",
        "opco",
    ]
