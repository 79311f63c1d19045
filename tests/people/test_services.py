"""Profile services: the user's own profile, its completeness, experience in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from admissions.people.models import User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from admissions.people.services import (
    completeness,
    describe_span,
    experience_of,
    full_profile_for,
    profile_for,
)
from admissions.rules.experience import Span

pytestmark = pytest.mark.django_db


def test_profile_is_created_once(candidate: User) -> None:
    first = profile_for(candidate)
    assert profile_for(candidate).pk == first.pk
    assert CandidateProfile.objects.count() == 1


def test_empty_profile_is_not_complete(candidate: User) -> None:
    state = completeness(full_profile_for(candidate))
    assert (state.done, state.total, state.percent, state.complete) == (0, 3, 0, False)


def test_profile_with_identity_residence_and_a_diploma_is_complete(
    profile: CandidateProfile,
) -> None:
    profile.birth_date = dt.date(1998, 4, 12)
    profile.save()
    assert completeness(full_profile_for(profile.user)).percent == 67
    Education.objects.create(
        profile=profile, level=5, diploma_kind="master_m2", title="M2", country="FR", year=2022
    )
    state = completeness(full_profile_for(profile.user))
    assert state.complete
    assert state.percent == 100


def test_overlapping_periods_count_once(profile: CandidateProfile) -> None:
    WorkPeriod.objects.create(
        profile=profile, employer="A", start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31)
    )
    WorkPeriod.objects.create(
        profile=profile, employer="B", start=dt.date(2022, 1, 1), end=dt.date(2024, 2, 29)
    )
    experience = experience_of(full_profile_for(profile.user), dt.date(2024, 6, 7))
    with translation.override("en"):
        assert describe_span(experience.span) == "4 years 2 months"


@pytest.mark.parametrize(
    ("months", "days", "english", "french"),
    [
        (0, 0, "none", "aucune"),
        (0, 12, "less than a month", "moins d’un mois"),
        (1, 0, "1 month", "1 mois"),
        (12, 3, "1 year", "1 an"),
        (50, 0, "4 years 2 months", "4 ans 2 mois"),
    ],
)
def test_durations_read_naturally(months: int, days: int, english: str, french: str) -> None:
    span = Span(months=months, days=days)
    with translation.override("en"):
        assert describe_span(span) == english
    with translation.override("fr"):
        assert describe_span(span) == french
