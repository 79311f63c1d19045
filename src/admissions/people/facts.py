"""The candidate's profile as the plain facts the rules read."""

from __future__ import annotations

from admissions.people.profile import CandidateProfile
from admissions.rules.facts import (
    CandidateFacts,
    CertificateKind,
    DiplomaStatus,
    Education,
    FactsError,
    FrenchCertificate,
    LanguageLevel,
    ResidenceInFrance,
    WorkPeriod,
)
from admissions.rules.vocabulary import DiplomaKind, PermitKind


def candidate_facts(profile: CandidateProfile) -> CandidateFacts:
    """The facts of `profile`; FactsError (with a code) when they are missing or contradict.

    Education and work periods are read through `profile.education.all()` and
    `profile.work_periods.all()`, so a profile fetched with `prefetch_related` costs no query.
    """
    if not profile.nationality or not profile.residence_country:
        raise FactsError(
            "profile_incomplete", "the nationality and the country of residence are required"
        )
    return CandidateFacts(
        nationality=profile.nationality,
        residence_country=profile.residence_country,
        residence_in_france=_residence(profile),
        french_certificate=_french(profile),
        education=tuple(
            Education(
                level=entry.level,
                kind=DiplomaKind(entry.diploma_kind),
                country=entry.country,
                year=entry.year,
                status=DiplomaStatus(entry.status),
            )
            for entry in profile.education.all()
        ),
        work=tuple(
            WorkPeriod(start=period.start, end=period.end) for period in profile.work_periods.all()
        ),
    )


def _residence(profile: CandidateProfile) -> ResidenceInFrance | None:
    if not profile.permit_kind:
        return None
    if profile.permit_valid_until is None or profile.in_france_since is None:
        # A permit without its dates cannot be judged; guessing would decide eligibility.
        raise FactsError(
            "residence_in_france",
            "a residence permit needs its end of validity and the date of arrival in France",
        )
    return ResidenceInFrance(
        permit_kind=PermitKind(profile.permit_kind),
        permit_valid_until=profile.permit_valid_until,
        in_france_since=profile.in_france_since,
    )


def _french(profile: CandidateProfile) -> FrenchCertificate | None:
    if not profile.french_certificate or not profile.french_level:
        return None
    return FrenchCertificate(
        kind=CertificateKind(profile.french_certificate),
        level=LanguageLevel(profile.french_level),
    )
