import datetime as dt

import pytest

from admissions.rules.facts import (
    CandidateFacts,
    DiplomaStatus,
    Education,
    FactsError,
    LanguageLevel,
    ResidenceInFrance,
    WorkPeriod,
)
from admissions.rules.vocabulary import DiplomaKind, PermitKind

PERMIT = ResidenceInFrance(PermitKind.STUDENT, dt.date(2025, 1, 1), dt.date(2022, 9, 1))


def test_country_codes_are_normalised() -> None:
    facts = CandidateFacts(nationality=" ma", residence_country="fr", residence_in_france=PERMIT)
    assert (facts.nationality, facts.residence_country) == ("MA", "FR")
    assert Education(5, DiplomaKind.FOREIGN, "de", 2020).country == "DE"


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (lambda: CandidateFacts(nationality="XX", residence_country="FR"), "nationality"),
        (lambda: CandidateFacts(nationality="FR", residence_country="FRA"), "residence_country"),
        (lambda: Education(9, DiplomaKind.OTHER, "FR", 2020), "diploma_level"),
        (lambda: Education(-1, DiplomaKind.OTHER, "FR", 2020), "diploma_level"),
        (lambda: Education(5, DiplomaKind.OTHER, "ZZ", 2020), "diploma_country"),
        (lambda: Education(5, DiplomaKind.FOREIGN, "FR", 2020), "diploma_country"),
        (lambda: Education(5, DiplomaKind.FOREIGN, "GP", 2020), "diploma_country"),
        (lambda: Education(5, DiplomaKind.MASTER_M2, "FR", 20), "diploma_year"),
        (lambda: WorkPeriod(dt.date(2024, 1, 2), dt.date(2024, 1, 1)), "period_ends_before_start"),
        (
            lambda: CandidateFacts(
                nationality="MA", residence_country="MA", residence_in_france=PERMIT
            ),
            "residence_in_france",
        ),
    ],
)
def test_facts_that_cannot_be_are_refused(build, code: str) -> None:
    with pytest.raises(FactsError) as caught:
        build()
    assert caught.value.code == code


def test_permit_is_valid_up_to_its_last_day() -> None:
    assert PERMIT.permit_valid_on(dt.date(2025, 1, 1))
    assert not PERMIT.permit_valid_on(dt.date(2025, 1, 2))


def test_expected_this_academic_year() -> None:
    expected = Education(5, DiplomaKind.MASTER_M2, "FR", 2024, DiplomaStatus.EXPECTED)
    assert expected.expected_this_year(dt.date(2023, 10, 1))
    assert expected.expected_this_year(dt.date(2024, 6, 1))
    assert not expected.expected_this_year(dt.date(2022, 10, 1))
    assert not expected.expected_this_year(dt.date(2023, 8, 31))  # the year before ends then
    later = Education(5, DiplomaKind.MASTER_M2, "FR", 2025, DiplomaStatus.EXPECTED)
    assert not later.expected_this_year(dt.date(2024, 3, 1))
    assert later.expected_this_year(dt.date(2024, 9, 1))
    obtained = Education(5, DiplomaKind.MASTER_M2, "FR", 2024)
    assert not obtained.expected_this_year(dt.date(2024, 6, 1))


def test_foreign_diplomas_and_nationals() -> None:
    facts = CandidateFacts(
        nationality="RO",
        residence_country="RE",
        education=(
            Education(5, DiplomaKind.MASTER_M2, "RE", 2020),
            Education(3, DiplomaKind.LICENCE, "FR", 2018),
        ),
    )
    assert facts.eu_national
    assert facts.lives_in_france
    assert not facts.has_foreign_diploma
    abroad = CandidateFacts(
        nationality="FR",
        residence_country="CA",
        education=[Education(5, DiplomaKind.FOREIGN, "CA", 2020)],  # type: ignore[arg-type]
    )
    assert abroad.education == (Education(5, DiplomaKind.FOREIGN, "CA", 2020),)
    assert abroad.has_foreign_diploma
    assert not abroad.lives_in_france


def test_language_levels_are_ordered() -> None:
    assert [level.rank for level in LanguageLevel] == [0, 1, 2, 3, 4, 5]
    assert LanguageLevel.C1.rank > LanguageLevel.B2.rank
