"""The shipped rulebooks answer as the seeds say, for one persona per rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import admissions
from admissions.rules.checklist import document_checklist
from admissions.rules.eligibility import EligibilityResult, ReasonCode, check_eligibility
from admissions.rules.facts import CandidateFacts
from admissions.rules.rulebook import read_rulebook
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import (
    DiplomaKind,
    DocumentCondition,
    PermitKind,
    RouteKind,
    Track,
    TranslationPolicy,
)
from tests.rules.personas import (
    CTI,
    LICENCE,
    M1,
    M2,
    MANAGEMENT,
    ON,
    RNCP7,
    alice,
    candidate,
    diploma,
    karim,
    lena,
    student_permit,
    years_of_work,
)

RULEBOOKS = Path(admissions.__file__).parent / "rulebooks"
FT = Track.FULL_TIME
WS = Track.WORK_STUDY


def preset(name: str) -> Rulebook:
    return read_rulebook(RULEBOOKS / f"{name}.toml").rulebook


@pytest.fixture(scope="module")
def nord() -> Rulebook:
    return preset("imt-nord-europe")


@pytest.fixture(scope="module")
def bs() -> Rulebook:
    return preset("imt-bs")


def programme_with(rulebook: Rulebook, track: Track) -> str:
    return next(p.slug for p in rulebook.programmes if track in p.tracks)


def programme_with_derogatory_routes(rulebook: Rulebook, track: Track) -> str:
    return next(
        p.slug
        for p in rulebook.programmes
        if track in p.tracks
        and any(r.kind == RouteKind.DEROGATORY for r in rulebook.routes_for(p.slug))
    )


def nord_check(rulebook: Rulebook, facts: CandidateFacts) -> EligibilityResult:
    return check_eligibility(rulebook, programme_with(rulebook, FT), FT, facts, ON)


# IMT Nord Europe ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        candidate(CTI),
        candidate(M2),
        candidate(RNCP7),
        candidate(M1, work=(years_of_work(3),)),
        candidate(diploma(5, DiplomaKind.FOREIGN, "MA"), nationality="MA"),
    ],
)
def test_nord_standard_routes(nord: Rulebook, facts: CandidateFacts) -> None:
    result = nord_check(nord, facts)
    assert result.eligible
    assert result.route is not None
    assert result.route.kind == RouteKind.STANDARD
    assert not result.implications.vapp_required


@pytest.mark.parametrize(
    "facts",
    [
        candidate(M1),  # Bac+4 without experience
        candidate(M1, work=(years_of_work(3, days_short=1),)),
        candidate(LICENCE, work=(years_of_work(3),)),  # Bac+3 with 3 years
    ],
)
def test_nord_derogatory_routes_need_a_vapp_file(nord: Rulebook, facts: CandidateFacts) -> None:
    result = nord_check(nord, facts)
    assert result.eligible
    assert result.route is not None
    assert result.route.kind == RouteKind.DEROGATORY
    assert result.implications.vapp_required
    slug = programme_with(nord, FT)
    checklist = document_checklist(nord, slug, FT, nord.financing_modes[0].code, facts, result)
    assert any(item.condition == DocumentCondition.VAPP_REQUIRED for item in checklist)


def test_nord_bac3_one_day_short_of_three_years(nord: Rulebook) -> None:
    result = nord_check(nord, candidate(LICENCE, work=(years_of_work(3, days_short=1),)))
    assert not result.eligible
    assert [reason.code for reason in result.reasons] == [ReasonCode.NO_ENTRY_ROUTE]
    assert [near.route.kind for near in result.near_misses] == [RouteKind.DEROGATORY]


def test_nord_still_studying_is_admitted_on_condition(nord: Rulebook) -> None:
    facts = candidate(diploma(5, DiplomaKind.MASTER_M2, year=2024, expected=True))
    result = nord_check(nord, facts)
    assert result.eligible
    assert result.implications.conditional_admission
    slug = programme_with(nord, FT)
    checklist = document_checklist(nord, slug, FT, nord.financing_modes[0].code, facts, result)
    assert not any(item.condition == DocumentCondition.DIPLOMA_OBTAINED for item in checklist)


def test_nord_international_candidate(nord: Rulebook) -> None:
    result = nord_check(nord, karim)
    assert result.eligible
    assert result.implications.campus_france
    assert result.implications.international_deadline
    assert result.implications.deadline == dt.date(2024, 3, 17)
    assert result.implications.translation == TranslationPolicy.FRENCH_OR_ENGLISH


def test_nord_french_graduate(nord: Rulebook) -> None:
    implications = nord_check(nord, alice).implications
    assert not implications.campus_france
    assert implications.deadline == dt.date(2024, 6, 7)
    assert implications.translation is None


def test_nord_has_no_work_study_track(nord: Rulebook) -> None:
    result = check_eligibility(nord, programme_with(nord, FT), WS, alice, ON)
    assert [reason.code for reason in result.reasons] == [ReasonCode.TRACK_NOT_OFFERED]


# IMT-BS ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        candidate(M2),
        candidate(CTI),
        candidate(MANAGEMENT),
        candidate(M1, work=(years_of_work(3),)),
        candidate(diploma(4, DiplomaKind.FOREIGN, "DE"), nationality="DE", residence_country="DE"),
        candidate(RNCP7),
    ],
)
def test_bs_standard_routes(bs: Rulebook, facts: CandidateFacts) -> None:
    slug = programme_with(bs, FT)
    result = check_eligibility(bs, slug, FT, facts, ON)
    assert result.eligible
    assert result.route is not None
    assert result.route.kind == RouteKind.STANDARD


def test_bs_bac4_without_experience_only_where_the_brochure_allows(bs: Rulebook) -> None:
    facts = candidate(M1)
    for programme in bs.programmes:
        track = programme.tracks[0]
        result = check_eligibility(bs, programme.slug, track, facts, ON)
        derogatory = any(r.kind == RouteKind.DEROGATORY for r in bs.routes_for(programme.slug))
        assert result.eligible is derogatory


def test_bs_first_time_non_eu_in_work_study(bs: Rulebook) -> None:
    slug = programme_with(bs, WS)
    chinese = diploma(5, DiplomaKind.FOREIGN, "CN")
    first_time = candidate(chinese, nationality="CN", residence_country="CN")
    result = check_eligibility(bs, slug, WS, first_time, ON)
    assert not result.eligible
    assert [reason.code for reason in result.reasons] == [ReasonCode.INTERNATIONAL_RESTRICTION]

    in_france = candidate(
        chinese,
        nationality="CN",
        residence_country="FR",
        residence=student_permit(dt.date(2023, 1, 15), ON),
    )
    assert check_eligibility(bs, slug, WS, in_france, ON).eligible
    expired = candidate(
        chinese,
        nationality="CN",
        residence_country="FR",
        residence=student_permit(dt.date(2023, 1, 15), ON - dt.timedelta(days=1)),
    )
    assert not check_eligibility(bs, slug, WS, expired, ON).eligible
    other_permit = candidate(
        chinese,
        nationality="CN",
        residence_country="FR",
        residence=student_permit(dt.date(2020, 1, 1), dt.date(2026, 1, 1), PermitKind.OTHER),
    )
    assert not check_eligibility(bs, slug, WS, other_permit, ON).eligible
    assert check_eligibility(bs, slug, WS, lena, ON).eligible


def test_bs_full_time_is_open_to_first_time_non_eu(bs: Rulebook) -> None:
    slug = next(p.slug for p in bs.programmes if FT in p.tracks and WS in p.tracks)
    first_time = candidate(
        diploma(5, DiplomaKind.FOREIGN, "CN"), nationality="CN", residence_country="CN"
    )
    assert check_eligibility(bs, slug, FT, first_time, ON).eligible
    assert not check_eligibility(bs, slug, WS, first_time, ON).eligible


def test_bs_documents_for_an_international_candidate(bs: Rulebook) -> None:
    slug = programme_with(bs, FT)
    result = check_eligibility(bs, slug, FT, karim, ON)
    assert result.implications.translation == TranslationPolicy.CERTIFIED
    assert result.implications.french_certificate_needed
    mode = next(m.code for m in bs.financing_modes if not m.tracks or FT in m.tracks)
    items = document_checklist(bs, slug, FT, mode, karim, result)
    conditions = {item.condition for item in items}
    assert DocumentCondition.FRENCH_CERTIFICATE_NEEDED in conditions
    assert any(item.translation == TranslationPolicy.CERTIFIED for item in items)
    alice_result = check_eligibility(bs, slug, FT, alice, ON)
    alice_items = document_checklist(bs, slug, FT, mode, alice, alice_result)
    assert not any(
        item.condition == DocumentCondition.FRENCH_CERTIFICATE_NEEDED for item in alice_items
    )
    assert not any(item.translation_required for item in alice_items)


def test_bs_derogatory_programme(bs: Rulebook) -> None:
    slug = programme_with_derogatory_routes(bs, FT)
    result = check_eligibility(bs, slug, FT, candidate(M1), ON)
    assert result.eligible
    assert result.route is not None
    assert result.route.kind == RouteKind.DEROGATORY


def test_nord_region_funded_place_gets_the_quote_from_staff(nord: Rulebook) -> None:
    slug = programme_with(nord, FT)
    region = next(mode for mode in nord.financing_modes if mode.region_funded)
    other = next(mode for mode in nord.financing_modes if not mode.region_funded)
    result = check_eligibility(nord, slug, FT, alice, ON)
    items = document_checklist(nord, slug, FT, region.code, alice, result)
    [quote] = [item for item in items if item.condition == DocumentCondition.REGION_FUNDED]
    assert quote.provided_by == "staff"
    others = document_checklist(nord, slug, FT, other.code, alice, result)
    assert not any(item.condition == DocumentCondition.REGION_FUNDED for item in others)
