"""Candidates for the eligibility and checklist tests, and small builders for their facts."""

from __future__ import annotations

import datetime as dt

from admissions.rules.facts import (
    CandidateFacts,
    CertificateKind,
    DiplomaStatus,
    Education,
    FrenchCertificate,
    LanguageLevel,
    ResidenceInFrance,
    WorkPeriod,
)
from admissions.rules.vocabulary import DiplomaKind, PermitKind

ON = dt.date(2024, 1, 15)  # a check during the 2024-2025 campaigns


def diploma(
    level: int,
    kind: DiplomaKind,
    country: str = "FR",
    year: int = 2020,
    *,
    expected: bool = False,
) -> Education:
    status = DiplomaStatus.EXPECTED if expected else DiplomaStatus.OBTAINED
    return Education(level=level, kind=kind, country=country, year=year, status=status)


def years_of_work(years: int, *, days_short: int = 0, on: dt.date = ON) -> WorkPeriod:
    """A job of exactly `years` calendar years ending on the day of the check."""
    start = dt.date(on.year - years, on.month, on.day) + dt.timedelta(days=1 + days_short)
    return WorkPeriod(start=start, end=on)


def candidate(
    *diplomas: Education,
    work: tuple[WorkPeriod, ...] = (),
    nationality: str = "FR",
    residence_country: str = "FR",
    residence: ResidenceInFrance | None = None,
    certificate: FrenchCertificate | None = None,
) -> CandidateFacts:
    return CandidateFacts(
        nationality=nationality,
        residence_country=residence_country,
        residence_in_france=residence,
        french_certificate=certificate,
        education=diplomas,
        work=work,
    )


def student_permit(
    since: dt.date, until: dt.date, kind: PermitKind = PermitKind.STUDENT
) -> ResidenceInFrance:
    return ResidenceInFrance(permit_kind=kind, permit_valid_until=until, in_france_since=since)


def delf(level: LanguageLevel = LanguageLevel.B2) -> FrenchCertificate:
    return FrenchCertificate(kind=CertificateKind.DELF, level=level)


M2 = diploma(5, DiplomaKind.MASTER_M2)
M1 = diploma(4, DiplomaKind.MASTER_M1)
LICENCE = diploma(3, DiplomaKind.LICENCE)
CTI = diploma(5, DiplomaKind.CTI_ENGINEERING)
RNCP7 = diploma(5, DiplomaKind.RNCP_LEVEL_7)
MANAGEMENT = diploma(5, DiplomaKind.MANAGEMENT_SCHOOL)

# Alice: French, master M2 obtained in France.
alice = candidate(M2)
# Karim: Moroccan living in Morocco, foreign Bac+5 obtained in Morocco.
karim = candidate(
    diploma(5, DiplomaKind.FOREIGN, "MA", 2022), nationality="MA", residence_country="MA"
)
# Lena: German living in Germany, foreign master's.
lena = candidate(
    diploma(5, DiplomaKind.FOREIGN, "DE", 2021), nationality="DE", residence_country="DE"
)
