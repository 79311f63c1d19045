"""Entry routes of both seeds: which route a profile takes, and the boundaries of each."""

import datetime as dt

import pytest

from admissions.rules.eligibility import EligibilityError, ReasonCode, check_eligibility
from admissions.rules.facts import CandidateFacts
from admissions.rules.routes import FailureCode
from admissions.rules.vocabulary import DiplomaKind, RouteKind, Track
from tests.rules.eligibility_rulebooks import bs, bs_data, build, nord, nord_data, route
from tests.rules.personas import (
    CTI,
    LICENCE,
    M1,
    M2,
    MANAGEMENT,
    ON,
    RNCP7,
    WorkPeriod,
    alice,
    candidate,
    diploma,
    karim,
    years_of_work,
)

NORD = nord()
BS = bs()
FT = Track.FULL_TIME
WS = Track.WORK_STUDY


def nord_route(facts: CandidateFacts, on: dt.date = ON) -> str | None:
    result = check_eligibility(NORD, "cyber", FT, facts, on)
    assert result.eligible is (result.route is not None)
    return result.route.code if result.route else None


def bs_route(facts: CandidateFacts, programme: str = "finance", track: Track = FT) -> str | None:
    result = check_eligibility(BS, programme, track, facts, ON)
    assert result.eligible is (result.route is not None)
    return result.route.code if result.route else None


# IMT Nord Europe -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (candidate(CTI), "cti"),
        (candidate(M2), "m2"),
        (candidate(RNCP7), "rncp7"),
        (candidate(M1, work=(years_of_work(3),)), "m1-3y"),
        (karim, "foreign-bac5"),
        (candidate(M1), "bac4"),
        (candidate(LICENCE, work=(years_of_work(3),)), "bac3-3y"),
    ],
)
def test_nord_each_route(facts: CandidateFacts, code: str) -> None:
    assert nord_route(facts) == code


def test_nord_m1_with_exactly_three_years_is_standard() -> None:
    result = check_eligibility(NORD, "cyber", FT, candidate(M1, work=(years_of_work(3),)), ON)
    assert result.route is not None
    assert result.route.kind == RouteKind.STANDARD
    assert not result.implications.vapp_required


def test_nord_m1_one_day_short_falls_to_the_derogatory_route() -> None:
    facts = candidate(M1, work=(years_of_work(3, days_short=1),))
    result = check_eligibility(NORD, "cyber", FT, facts, ON)
    assert result.route is not None
    assert result.route.code == "bac4"
    assert result.route.kind == RouteKind.DEROGATORY
    assert result.implications.vapp_required
    # The standard route it misses by one day is shown, with the day to wait.
    [near] = result.near_misses
    assert near.route.code == "m1-3y"
    assert near.missing.code == FailureCode.EXPERIENCE
    assert "1 day" in near.text.en
    assert "1 jour" in near.text.fr


def test_nord_derogatory_bac4_without_experience_needs_a_vapp_file() -> None:
    result = check_eligibility(NORD, "cyber", FT, candidate(M1), ON)
    assert result.eligible
    assert result.route is not None
    assert result.route.code == "bac4"
    assert result.implications.vapp_required
    assert "VAPP" in " ".join(note.text.en for note in result.notes)


def test_nord_bac3_with_three_years_needs_a_vapp_file() -> None:
    result = check_eligibility(NORD, "cyber", FT, candidate(LICENCE, work=(years_of_work(3),)), ON)
    assert result.eligible
    assert result.route is not None
    assert result.route.code == "bac3-3y"
    assert result.vapp_required


def test_nord_bac3_one_day_short_is_not_eligible() -> None:
    facts = candidate(LICENCE, work=(years_of_work(3, days_short=1),))
    result = check_eligibility(NORD, "cyber", FT, facts, ON)
    assert not result.eligible
    assert [reason.code for reason in result.reasons] == [ReasonCode.NO_ENTRY_ROUTE]
    assert [near.route.code for near in result.near_misses] == ["bac3-3y"]


def test_nord_bac3_without_experience_is_not_eligible() -> None:
    result = check_eligibility(NORD, "cyber", FT, candidate(LICENCE), ON)
    assert not result.eligible
    assert result.route is None


def test_nord_foreign_bac5_needs_a_foreign_country() -> None:
    result = check_eligibility(NORD, "cyber", FT, karim, ON)
    assert result.route is not None
    assert result.route.code == "foreign-bac5"
    assert result.route.diploma is not None
    assert result.route.diploma.country == "MA"


def test_nord_foreign_bac4_only_fits_the_derogatory_route() -> None:
    facts = candidate(diploma(4, DiplomaKind.FOREIGN, "SN"), nationality="SN")
    assert nord_route(facts) == "bac4"


def test_nord_overseas_diploma_is_french() -> None:
    # A master from the Université de La Réunion is not a foreign diploma.
    facts = candidate(diploma(5, DiplomaKind.OTHER, "RE"))
    result = check_eligibility(NORD, "cyber", FT, facts, ON)
    assert result.route is not None
    assert result.route.code == "bac4"
    assert not result.implications.translation


def test_nord_still_studying_is_admitted_on_condition() -> None:
    facts = candidate(M1, diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True))
    result = check_eligibility(NORD, "cyber", FT, facts, ON)
    assert result.route is not None
    assert result.route.code == "m2"
    assert result.route.conditional
    assert result.implications.conditional_admission
    assert not result.implications.vapp_required
    assert any(note.code == "conditional_admission" for note in result.notes)


def test_nord_an_obtained_diploma_is_preferred_to_an_expected_one() -> None:
    # Both the M2 route (M2 expected) and the M1 + 3 years route (M1 obtained) fit: the
    # candidate needs no condition.
    facts = candidate(
        M1,
        diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True),
        work=(years_of_work(4),),
    )
    result = check_eligibility(NORD, "cyber", FT, facts, ON)
    assert result.route is not None
    assert result.route.code == "m1-3y"
    assert not result.implications.conditional_admission


def test_nord_a_diploma_expected_after_this_academic_year_does_not_count() -> None:
    facts = candidate(diploma(5, DiplomaKind.MASTER_M2, year=2026, expected=True))
    result = check_eligibility(NORD, "cyber", FT, facts, ON)
    assert not result.eligible
    m2 = next(check for check in result.routes if check.code == "m2")
    assert [failure.code for failure in m2.failures] == [FailureCode.DIPLOMA_NOT_OBTAINED]
    assert "2026" in m2.failures[0].text.en


def test_nord_expected_next_summer_counts_during_the_autumn() -> None:
    facts = candidate(diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True))
    assert nord_route(facts, on=dt.date(2023, 10, 1)) == "m2"


def test_standard_routes_win_over_derogatory_ones_whatever_the_order() -> None:
    data = nord_data()
    data["entry_routes"].reverse()
    rulebook = build(data)
    result = check_eligibility(rulebook, "cyber", FT, candidate(M2), ON)
    assert result.route is not None
    assert result.route.code == "m2"


def test_among_standard_routes_the_first_in_rulebook_order() -> None:
    data = nord_data()
    data["entry_routes"].insert(0, route("any-bac5", "standard", min_level=5))
    result = check_eligibility(build(data), "cyber", FT, candidate(M2), ON)
    assert result.route is not None
    assert result.route.code == "any-bac5"
    assert [check.code for check in result.routes if check.matched] == ["any-bac5", "m2", "bac4"]


def test_a_route_limited_to_other_programmes_does_not_apply() -> None:
    data = nord_data()
    data["entry_routes"] = [
        route("energy-only", "standard", min_level=3, programmes=["energy"]),
        route("m2", "standard", min_level=5, kinds=["master_m2"]),
    ]
    rulebook = build(data)
    assert check_eligibility(rulebook, "energy", FT, candidate(LICENCE), ON).eligible
    result = check_eligibility(rulebook, "cyber", FT, candidate(LICENCE), ON)
    assert not result.eligible
    assert [check.code for check in result.routes] == ["m2"]


def test_still_studying_not_allowed_counts_only_obtained_diplomas() -> None:
    expected_m2 = diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True)
    result = check_eligibility(BS, "finance", FT, candidate(expected_m2), ON)
    assert not result.eligible
    bac5 = result.routes[0]
    assert bac5.code == "bac5"
    assert [failure.code for failure in bac5.failures] == [FailureCode.DIPLOMA_NOT_OBTAINED]
    [near] = result.near_misses
    assert near.route.code == "bac5"
    assert near.missing.code == FailureCode.DIPLOMA_NOT_OBTAINED


def test_expected_diploma_without_conditional_admission() -> None:
    data = nord_data()
    data["entry_routes"] = [
        route("m2", "standard", min_level=5, in_progress=True, conditional=False)
    ]
    expected_m2 = diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True)
    result = check_eligibility(build(data), "cyber", FT, candidate(expected_m2), ON)
    assert result.eligible
    assert not result.implications.conditional_admission


def test_a_route_that_asks_for_experience_only() -> None:
    data = nord_data()
    data["entry_routes"] = [route("experience", "derogatory", min_level=0, years="10")]
    rulebook = build(data)
    result = check_eligibility(rulebook, "cyber", FT, candidate(work=(years_of_work(10),)), ON)
    assert result.eligible
    assert result.route is not None
    assert result.route.diploma is None
    assert not check_eligibility(rulebook, "cyber", FT, candidate(), ON).eligible


def test_no_diploma_at_all() -> None:
    result = check_eligibility(NORD, "cyber", FT, candidate(), ON)
    assert not result.eligible
    assert all(check.failures[0].code == FailureCode.NO_DIPLOMA for check in result.routes)


def test_unknown_programme_is_a_typed_error() -> None:
    with pytest.raises(EligibilityError) as caught:
        check_eligibility(NORD, "nope", FT, alice, ON)
    assert caught.value.code == "unknown_programme"


# IMT-BS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (candidate(M2), "bac5"),
        (candidate(CTI), "bac5"),
        (candidate(MANAGEMENT), "bac5"),
        (candidate(M1, work=(years_of_work(3),)), "bac4-3y"),
        (candidate(diploma(4, DiplomaKind.FOREIGN, "CN"), nationality="CN"), "foreign-m1-m2"),
        (candidate(diploma(5, DiplomaKind.MASTER_M2, "IT"), nationality="IT"), "bac5"),
        (candidate(RNCP7), "rncp7"),
    ],
)
def test_bs_each_route(facts: CandidateFacts, code: str) -> None:
    assert bs_route(facts) == code


@pytest.mark.parametrize(
    "facts",
    [
        candidate(M1),
        candidate(M1, work=(years_of_work(3, days_short=1),)),
        candidate(LICENCE, work=(years_of_work(10),)),
        candidate(diploma(3, DiplomaKind.FOREIGN, "CN"), nationality="CN"),
        candidate(diploma(5, DiplomaKind.OTHER)),
    ],
)
def test_bs_not_eligible(facts: CandidateFacts) -> None:
    assert bs_route(facts) is None


def test_bs_derogatory_route_of_one_programme_only() -> None:
    assert bs_route(candidate(M1), programme="data", track=WS) == "data-bac4"
    assert bs_route(candidate(M1), programme="finance") is None
    result = check_eligibility(BS, "data", WS, candidate(M1), ON)
    assert result.route is not None
    assert result.route.kind == RouteKind.DEROGATORY
    # IMT-BS's derogatory routes ask for no VAPP file.
    assert not result.implications.vapp_required


def test_bs_rncp_level_7_is_a_route_of_its_own() -> None:
    data = bs_data()
    data["entry_routes"] = [route("rncp7", "standard", min_level=0, kinds=["rncp_level_7"])]
    rulebook = build(data)
    assert check_eligibility(rulebook, "finance", FT, candidate(RNCP7), ON).eligible
    result = check_eligibility(rulebook, "finance", FT, candidate(M2), ON)
    assert [f.code for f in result.routes[0].failures] == [FailureCode.DIPLOMA_KIND]


def test_bs_foreign_origin_is_checked_on_the_same_diploma() -> None:
    # A French Bac+5 and a foreign Bac+3 do not make a foreign Bac+4.
    facts = candidate(diploma(5, DiplomaKind.OTHER), diploma(3, DiplomaKind.FOREIGN, "US"))
    result = check_eligibility(BS, "finance", FT, facts, ON)
    assert not result.eligible
    foreign = next(check for check in result.routes if check.code == "foreign-m1-m2")
    assert {failure.code for failure in foreign.failures} == {FailureCode.DIPLOMA_ORIGIN}


def test_french_origin_route() -> None:
    data = bs_data()
    data["entry_routes"] = [route("french-bac5", "standard", min_level=5, origin="french")]
    rulebook = build(data)
    assert check_eligibility(rulebook, "finance", FT, alice, ON).eligible
    result = check_eligibility(rulebook, "finance", FT, karim, ON)
    failure = result.routes[0].failures[0]
    assert failure.code == FailureCode.DIPLOMA_ORIGIN
    assert "Morocco" in failure.text.en
    assert "Maroc" in failure.text.fr


def test_bs_experience_counts_overlapping_jobs_once() -> None:
    jobs = (
        WorkPeriod(dt.date(2021, 1, 1), dt.date(2022, 12, 31)),
        WorkPeriod(dt.date(2022, 1, 1), dt.date(2023, 6, 30)),
    )
    result = check_eligibility(BS, "finance", FT, candidate(M1, work=jobs), ON)
    assert not result.eligible
    assert result.experience.span.months == 30


def test_bs_experience_with_an_ongoing_job() -> None:
    jobs = (WorkPeriod(dt.date(2021, 1, 16), None),)
    assert bs_route(candidate(M1, work=jobs)) == "bac4-3y"
    later_start = (WorkPeriod(dt.date(2021, 1, 17), None),)
    assert bs_route(candidate(M1, work=later_start)) is None
