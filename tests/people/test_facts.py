"""The profile read as the plain facts the eligibility rules work on."""

from __future__ import annotations

import datetime as dt

import pytest

from admissions.people.facts import candidate_facts
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from admissions.people.services import full_profile_for
from admissions.rules.facts import (
    CertificateKind,
    DiplomaStatus,
    FactsError,
    LanguageLevel,
)
from admissions.rules.vocabulary import DiplomaKind, PermitKind

pytestmark = pytest.mark.django_db


def test_a_full_profile_maps_to_facts(profile: CandidateProfile) -> None:
    profile.permit_kind = "student"
    profile.permit_valid_until = dt.date(2025, 9, 30)
    profile.in_france_since = dt.date(2022, 9, 1)
    profile.french_certificate = "DELF"
    profile.french_level = "B2"
    profile.save()
    Education.objects.create(
        profile=profile,
        level=5,
        diploma_kind="foreign",
        title="Master",
        country="SN",
        year=2022,
        status="obtained",
    )
    Education.objects.create(
        profile=profile,
        level=3,
        diploma_kind="licence",
        title="Licence",
        country="FR",
        year=2024,
        status="expected",
    )
    WorkPeriod.objects.create(
        profile=profile, employer="A", start=dt.date(2019, 1, 1), end=dt.date(2020, 12, 31)
    )
    WorkPeriod.objects.create(profile=profile, employer="B", start=dt.date(2021, 3, 1))

    facts = candidate_facts(full_profile_for(profile.user))

    assert facts.nationality == "SN"
    assert facts.lives_in_france
    assert not facts.eu_national
    assert facts.residence_in_france is not None
    assert facts.residence_in_france.permit_kind is PermitKind.STUDENT
    assert facts.residence_in_france.permit_valid_until == dt.date(2025, 9, 30)
    assert facts.french_certificate is not None
    assert facts.french_certificate.kind is CertificateKind.DELF
    assert facts.french_certificate.level is LanguageLevel.B2
    kinds = {(e.kind, e.status) for e in facts.education}
    assert kinds == {
        (DiplomaKind.FOREIGN, DiplomaStatus.OBTAINED),
        (DiplomaKind.LICENCE, DiplomaStatus.EXPECTED),
    }
    assert facts.has_foreign_diploma
    assert sorted((w.start, w.end) for w in facts.work) == [
        (dt.date(2019, 1, 1), dt.date(2020, 12, 31)),
        (dt.date(2021, 3, 1), None),
    ]


def test_a_prefetched_profile_costs_no_query(
    profile: CandidateProfile, django_assert_num_queries: object
) -> None:
    Education.objects.create(
        profile=profile, level=5, diploma_kind="master_m2", title="M2", country="FR", year=2022
    )
    fetched = full_profile_for(profile.user)
    with django_assert_num_queries(0):  # type: ignore[operator]
        candidate_facts(fetched)


def test_no_permit_means_no_residence_facts(profile: CandidateProfile) -> None:
    facts = candidate_facts(profile)
    assert facts.residence_in_france is None
    assert facts.french_certificate is None
    assert facts.education == ()


def test_missing_nationality_is_reported_with_a_code(profile: CandidateProfile) -> None:
    profile.nationality = ""
    with pytest.raises(FactsError) as caught:
        candidate_facts(profile)
    assert caught.value.code == "profile_incomplete"


def test_permit_without_its_dates_is_not_guessed(profile: CandidateProfile) -> None:
    profile.permit_kind = "other"
    with pytest.raises(FactsError) as caught:
        candidate_facts(profile)
    assert caught.value.code == "residence_in_france"


def test_contradictions_saved_outside_the_forms_are_reported(profile: CandidateProfile) -> None:
    profile.residence_country = "SN"
    profile.permit_kind = "student"
    profile.permit_valid_until = dt.date(2025, 1, 1)
    profile.in_france_since = dt.date(2020, 1, 1)
    with pytest.raises(FactsError) as caught:
        candidate_facts(profile)
    assert caught.value.code == "residence_in_france"
