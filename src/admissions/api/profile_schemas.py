"""The shapes of the candidate's profile over the API.

They say which types and words each field takes; what makes a value acceptable (required
names, a birth date that makes sense, a permit only for non-French residents of France...)
is decided by the profile forms of `admissions.people.forms`, the same ones the web pages use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from admissions.api.schemas import Input
from admissions.people.profile import (
    ADDRESS_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    CefrLevel,
    DiplomaKindChoice,
    EducationStatus,
    FrenchCertificate,
    PermitChoice,
)

COUNTRY = "ISO 3166-1 alpha-2 code, e.g. FR"


class IdentityIn(Input):
    given_names: str = Field(
        default="", max_length=NAME_MAX_LENGTH, description="As written on the identity document"
    )
    family_name: str = Field(default="", max_length=NAME_MAX_LENGTH)
    birth_date: dt.date | None = None
    birth_place: str = Field(default="", max_length=NAME_MAX_LENGTH, description="Town and country")
    phone: str = Field(
        default="",
        max_length=PHONE_MAX_LENGTH,
        description="6 to 15 digits, separated by spaces, dots, dashes or brackets if need be; "
        "+ and the country code in front outside France",
    )
    address: str = Field(default="", max_length=ADDRESS_MAX_LENGTH, description="Postal address")


class IdentityOut(Schema):
    given_names: str
    family_name: str
    birth_date: dt.date | None
    birth_place: str
    phone: str
    address: str


class ResidenceIn(Input):
    nationality: str = Field(default="", description=COUNTRY, max_length=60)
    residence_country: str = Field(default="", description=COUNTRY, max_length=60)
    permit_kind: PermitChoice = Field(
        default=PermitChoice.NONE,
        description="A French residence permit, only for a non-EU national living in France",
    )
    permit_valid_until: dt.date | None = None
    in_france_since: dt.date | None = Field(
        default=None, description="The date the candidate came to live in France"
    )


class ResidenceOut(Schema):
    nationality: str
    residence_country: str
    permit_kind: str
    permit_valid_until: dt.date | None
    in_france_since: dt.date | None


class FrenchIn(Input):
    french_certificate: FrenchCertificate = FrenchCertificate.NONE
    french_level: CefrLevel = Field(
        default=CefrLevel.NONE, description="CEFR level written on the certificate"
    )


class FrenchOut(Schema):
    french_certificate: str
    french_level: str


class EducationIn(Input):
    level: int = Field(description="Years of study after the baccalauréat (Bac+N), 2 to 8")
    diploma_kind: DiplomaKindChoice
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    school: str = Field(default="", max_length=TITLE_MAX_LENGTH)
    country: str = Field(description=COUNTRY + "; where the diploma was awarded", max_length=60)
    year: int = Field(description="The year the diploma was, or will be, awarded")
    status: EducationStatus = EducationStatus.OBTAINED


class EducationOut(Schema):
    id: int
    level: int
    diploma_kind: str
    title: str
    school: str
    country: str
    year: int
    status: str


class WorkPeriodIn(Input):
    employer: str = Field(max_length=TITLE_MAX_LENGTH)
    position: str = Field(default="", max_length=TITLE_MAX_LENGTH)
    start: dt.date
    end: dt.date | None = Field(default=None, description="Null while the job goes on")


class WorkPeriodOut(Schema):
    id: int
    employer: str
    position: str
    start: dt.date
    end: dt.date | None


class ExperienceOut(Schema):
    on: dt.date = Field(description="The day the experience is counted to (Paris time)")
    days: int = Field(description="Distinct calendar days worked")
    months: int = Field(description="Whole calendar months")
    extra_days: int = Field(description="Days left over after the whole months")
    years: Decimal = Field(description="Exact duration in years, as the eligibility rules use")
    text: str = Field(description="The duration in words, in the reader's language")


class SectionOut(Schema):
    key: str
    label: str
    done: bool


class ProfileOut(Schema):
    identity: IdentityOut
    residence: ResidenceOut
    french: FrenchOut
    education: list[EducationOut]
    work_periods: list[WorkPeriodOut]
    experience: ExperienceOut
    sections: list[SectionOut] = Field(description="The parts the eligibility rules need")
    complete: bool
