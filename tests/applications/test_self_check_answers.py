"""The self-check's answers as facts: durations become stretches that measure exactly that."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.applications.self_check import Answers, facts_from_answers, start_for
from admissions.rules.experience import elapsed, professional_experience
from admissions.rules.facts import DiplomaStatus, FactsError
from admissions.rules.vocabulary import DiplomaKind, PermitKind


def answers(**changes: object) -> Answers:
    values: dict[str, object] = {
        "nationality": "SN",
        "residence_country": "FR",
        "diploma_level": 5,
        "diploma_kind": DiplomaKind.FOREIGN,
        "diploma_country": "SN",
    }
    values.update(changes)
    return Answers(**values)  # type: ignore[arg-type]


days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
tenths = st.integers(min_value=0, max_value=400).map(lambda n: Decimal(n) / 10)


@given(on=days, years=tenths)
def test_experience_is_exactly_what_was_answered(on: dt.date, years: Decimal) -> None:
    facts = facts_from_answers(answers(experience_years=years), on)
    experience = professional_experience(facts.work, on)
    assert experience.at_least(years)
    if facts.work:
        shorter = professional_experience(
            [type(facts.work[0])(start=facts.work[0].start + dt.timedelta(days=1), end=on)], on
        )
        assert not shorter.at_least(years)


@given(on=days, years=tenths)
def test_years_in_france_are_exactly_what_was_answered(on: dt.date, years: Decimal) -> None:
    since = start_for(years, on)
    assert elapsed(since, on).at_least(years)
    assert not elapsed(since + dt.timedelta(days=1), on).at_least(years) or years == 0


def test_a_permit_needs_its_dates() -> None:
    with pytest.raises(FactsError) as refused:
        facts_from_answers(answers(permit_kind=PermitKind.STUDENT), dt.date(2024, 2, 12))
    assert refused.value.code == "residence_in_france"
    facts = facts_from_answers(
        answers(
            permit_kind=PermitKind.STUDENT,
            permit_valid_until=dt.date(2025, 9, 30),
            years_in_france=Decimal("1.5"),
        ),
        dt.date(2024, 2, 12),
    )
    assert facts.residence_in_france is not None
    assert facts.residence_in_france.in_france_since == dt.date(2022, 8, 12)


def test_a_permit_abroad_contradicts() -> None:
    with pytest.raises(FactsError):
        facts_from_answers(
            answers(
                residence_country="SN",
                permit_kind=PermitKind.OTHER,
                permit_valid_until=dt.date(2025, 1, 1),
                years_in_france=Decimal(1),
            ),
            dt.date(2024, 2, 12),
        )


@pytest.mark.parametrize(
    ("status", "on", "year"),
    [
        (DiplomaStatus.OBTAINED, dt.date(2024, 2, 12), 2024),
        (DiplomaStatus.EXPECTED, dt.date(2024, 2, 12), 2024),
        (DiplomaStatus.EXPECTED, dt.date(2024, 10, 1), 2025),
    ],
)
def test_the_diploma_year_defaults_to_this_academic_year(
    status: DiplomaStatus, on: dt.date, year: int
) -> None:
    facts = facts_from_answers(answers(diploma_status=status), on)
    assert facts.education[0].year == year


def test_unknown_countries_are_refused() -> None:
    with pytest.raises(FactsError):
        facts_from_answers(answers(nationality="XX"), dt.date(2024, 2, 12))
