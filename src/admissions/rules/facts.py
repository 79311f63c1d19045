"""What the eligibility engine and the checklist read about a candidate, as plain frozen data.

The people app builds these from a profile; the rules never see a model. Construction checks
that the facts hold together and raises `FactsError` (with a stable `code`) when they do not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from admissions.rules.countries import UnknownCountryError, country_code, is_eu, is_france
from admissions.rules.experience import PeriodError, check_period
from admissions.rules.vocabulary import DiplomaKind, PermitKind

MAX_LEVEL = 8  # Bac+8, a doctorate
ACADEMIC_YEAR_STARTS = 9  # September: diplomas are awarded by the summer that ends a year


class FactsError(ValueError):
    """Facts about a candidate that contradict each other or cannot be read."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class CertificateKind(StrEnum):
    DELF = "DELF"
    DALF = "DALF"
    TCF = "TCF"
    TEF = "TEF"


class LanguageLevel(StrEnum):
    # Stated, not a docstring: the API's schema shows it, and the server drops docstrings.
    __doc__ = "Levels of the Common European Framework of Reference, in increasing order."

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"

    @property
    def rank(self) -> int:
        return list(LanguageLevel).index(self)


class DiplomaStatus(StrEnum):
    OBTAINED = "obtained"
    EXPECTED = "expected"  # to be awarded at the end of the current academic year


@dataclass(frozen=True)
class ResidenceInFrance:
    """A foreign national's right to stay in France; only for candidates living in France."""

    permit_kind: PermitKind
    permit_valid_until: dt.date
    in_france_since: dt.date

    def permit_valid_on(self, day: dt.date) -> bool:
        """A permit is valid up to and including its last day."""
        return self.permit_valid_until >= day


@dataclass(frozen=True)
class FrenchCertificate:
    kind: CertificateKind
    level: LanguageLevel


@dataclass(frozen=True)
class Education:
    """A diploma, obtained or expected at the end of the current academic year."""

    level: int  # Bac+N
    kind: DiplomaKind
    country: str  # where it is awarded, ISO alpha-2
    year: int  # of award, or expected award
    status: DiplomaStatus = DiplomaStatus.OBTAINED

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_LEVEL:
            raise FactsError(
                "diploma_level",
                f"a diploma level is Bac+0 to Bac+{MAX_LEVEL}, got Bac+{self.level}",
            )
        object.__setattr__(self, "country", _country(self.country, "diploma_country"))
        if self.kind == DiplomaKind.FOREIGN and is_france(self.country):
            raise FactsError("diploma_country", "a foreign diploma cannot be awarded in France")
        if not 1900 <= self.year <= 2200:
            raise FactsError("diploma_year", f"not a plausible year of award: {self.year}")

    @property
    def obtained(self) -> bool:
        return self.status == DiplomaStatus.OBTAINED

    @property
    def foreign(self) -> bool:
        return not is_france(self.country)

    def expected_this_year(self, on: dt.date) -> bool:
        """Expected by the end of the academic year under way on `on`."""
        return not self.obtained and self.year <= academic_year_end(on)


@dataclass(frozen=True)
class WorkPeriod:
    start: dt.date
    end: dt.date | None = None  # ongoing

    def __post_init__(self) -> None:
        try:
            check_period(self.start, self.end)
        except PeriodError as error:
            raise FactsError(error.code, str(error)) from error


@dataclass(frozen=True)
class CandidateFacts:
    nationality: str  # ISO alpha-2
    residence_country: str  # ISO alpha-2
    residence_in_france: ResidenceInFrance | None = None  # for a foreign national in France
    french_certificate: FrenchCertificate | None = None
    education: tuple[Education, ...] = ()
    work: tuple[WorkPeriod, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "nationality", _country(self.nationality, "nationality"))
        object.__setattr__(
            self, "residence_country", _country(self.residence_country, "residence_country")
        )
        object.__setattr__(self, "education", tuple(self.education))
        object.__setattr__(self, "work", tuple(self.work))
        if self.residence_in_france is not None and not self.lives_in_france:
            raise FactsError(
                "residence_in_france",
                "a residence permit in France is given for a candidate living in "
                f"{self.residence_country}",
            )

    @property
    def eu_national(self) -> bool:
        return is_eu(self.nationality)

    @property
    def lives_in_france(self) -> bool:
        return is_france(self.residence_country)

    @property
    def has_foreign_diploma(self) -> bool:
        return any(diploma.foreign for diploma in self.education)


def academic_year_end(on: dt.date) -> int:
    """The calendar year in which the academic year under way on `on` ends (2023-10-01: 2024)."""
    return on.year + 1 if on.month >= ACADEMIC_YEAR_STARTS else on.year


def _country(value: str, code: str) -> str:
    try:
        return country_code(value)
    except UnknownCountryError as error:
        raise FactsError(code, str(error)) from error
