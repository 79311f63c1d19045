"""The public self-check: a few answers turned into the facts the eligibility rules read.

Someone without an account gives durations ("3 years of experience", "in France for 2
years") rather than dates; each becomes the one stretch of time that ends on the day of the
check and measures exactly that long by the rules' own count (rules.experience).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from admissions.people.profile import CandidateProfile
from admissions.rules.experience import Duration, professional_experience, stretch_start
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

MAX_YEARS = Decimal(50)


@dataclass(frozen=True)
class Answers:
    nationality: str
    residence_country: str
    diploma_level: int
    diploma_kind: DiplomaKind
    diploma_country: str
    diploma_status: DiplomaStatus = DiplomaStatus.OBTAINED
    diploma_year: int | None = None  # default: this year, or the end of this academic year
    experience_years: Decimal = Decimal(0)
    permit_kind: PermitKind | None = None
    permit_valid_until: dt.date | None = None
    years_in_france: Decimal | None = None
    french_certificate: CertificateKind | None = None
    french_level: LanguageLevel | None = None


ONE_DECIMAL = Decimal("0.1")


def _years(periods: list[WorkPeriod], on: dt.date) -> Decimal:
    """Years the periods add up to on `on`, rounded down to a tenth as the form asks."""
    years = professional_experience(periods, on).years
    return years.quantize(ONE_DECIMAL, rounding="ROUND_DOWN")


def initial_from_profile(profile: CandidateProfile, on: dt.date) -> dict[str, object]:
    """The self-check's answers a signed-in candidate already gave in their profile."""
    initial: dict[str, object] = {}
    for name in ("nationality", "residence_country", "permit_kind", "permit_valid_until"):
        value = getattr(profile, name)
        if value:
            initial[name] = value
    if profile.in_france_since and profile.in_france_since <= on:
        initial["years_in_france"] = _years([WorkPeriod(profile.in_france_since, on)], on)
    diplomas = sorted(
        profile.education.all(), key=lambda d: (d.level, d.status == DiplomaStatus.OBTAINED)
    )
    if diplomas:
        best = diplomas[-1]
        initial.update(
            diploma_level=best.level,
            diploma_kind=best.diploma_kind,
            diploma_country=best.country,
            diploma_status=best.status,
            diploma_year=best.year,
        )
    work = [
        WorkPeriod(start=period.start, end=period.end)
        for period in profile.work_periods.all()
        if period.start <= on
    ]
    initial["experience_years"] = _years(work, on) if work else Decimal(0)
    if profile.french_certificate and profile.french_level:
        initial.update(
            french_certificate=profile.french_certificate, french_level=profile.french_level
        )
    return initial


def start_for(duration_years: Decimal, stop: dt.date) -> dt.date:
    """The first day of a stretch up to `stop` (excluded) that lasts `duration_years`."""
    if not Decimal(0) <= duration_years <= MAX_YEARS:
        raise FactsError("duration", f"a duration of 0 to {MAX_YEARS} years, got {duration_years}")
    return stretch_start(Duration.from_years(duration_years), stop)


def default_diploma_year(status: DiplomaStatus, on: dt.date) -> int:
    if status == DiplomaStatus.OBTAINED:
        return on.year
    # An academic year ends in the summer: from September on, the diploma is next year's.
    return on.year + 1 if on.month >= 9 else on.year


def facts_from_answers(answers: Answers, on: dt.date) -> CandidateFacts:
    """The facts for `answers` on the day `on`; FactsError when they contradict each other."""
    residence: ResidenceInFrance | None = None
    if answers.permit_kind is not None:
        if answers.permit_valid_until is None or answers.years_in_france is None:
            raise FactsError(
                "residence_in_france",
                "a residence permit needs its end of validity and the years spent in France",
            )
        residence = ResidenceInFrance(
            permit_kind=answers.permit_kind,
            permit_valid_until=answers.permit_valid_until,
            in_france_since=start_for(answers.years_in_france, on),
        )
    work: tuple[WorkPeriod, ...] = ()
    if answers.experience_years > 0:
        # The stretch includes `on` itself, as an ongoing job does on the day of a check.
        tomorrow = on + dt.timedelta(days=1)
        work = (WorkPeriod(start=start_for(answers.experience_years, tomorrow), end=on),)
    french = None
    if answers.french_certificate is not None and answers.french_level is not None:
        french = FrenchCertificate(kind=answers.french_certificate, level=answers.french_level)
    year = answers.diploma_year or default_diploma_year(answers.diploma_status, on)
    return CandidateFacts(
        nationality=answers.nationality,
        residence_country=answers.residence_country,
        residence_in_france=residence,
        french_certificate=french,
        education=(
            Education(
                level=answers.diploma_level,
                kind=answers.diploma_kind,
                country=answers.diploma_country,
                year=year,
                status=answers.diploma_status,
            ),
        ),
        work=work,
    )
