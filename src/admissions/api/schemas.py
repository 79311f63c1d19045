"""The shapes the application and eligibility endpoints read and write.

Input schemas refuse what is wrong with a 422 naming the field: unknown countries, levels
out of range, impossible dates, unknown words of the rules' vocabulary, extra fields.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import (
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from admissions.applications.self_check import MAX_YEARS
from admissions.applications.texts import MAX_TEXT_LENGTH
from admissions.rules.countries import UnknownCountryError, country_code
from admissions.rules.facts import MAX_LEVEL, CertificateKind, DiplomaStatus, LanguageLevel
from admissions.rules.vocabulary import DiplomaKind, PermitKind, Track

SLUG_MAX_LENGTH = 60  # as the rulebooks' slugs (rules.schema.Slug)


def _country(value: str) -> str:
    try:
        return country_code(value)
    except UnknownCountryError:
        # A type of its own, so that api/messages.py tells it in the reader's language.
        raise PydanticCustomError(
            "unknown_country",
            "unknown country {value!r}: expected an ISO 3166-1 alpha-2 code such as FR",
            {"value": value},
        ) from None


class Input(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # django-ninja's Schema validates a model that forbids extra fields twice, the second
    # time through a wrapper that reads ORM objects' attributes (and each nested model
    # twice again, at each pass): an input is plain data, checked once.
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        return handler(values)


class Bilingual(Schema):
    fr: str
    en: str


# Eligibility -------------------------------------------------------------------------------


class PermitIn(Input):
    kind: PermitKind
    valid_until: dt.date
    years_in_france: Decimal = Field(ge=0, le=MAX_YEARS, decimal_places=1)


class DiplomaIn(Input):
    level: int = Field(ge=0, le=MAX_LEVEL, description="Bac+N; 0 is the baccalauréat")
    kind: DiplomaKind
    country: str = Field(
        description="ISO 3166-1 alpha-2 code of the awarding country", max_length=60
    )
    status: DiplomaStatus = DiplomaStatus.OBTAINED
    year: int | None = Field(default=None, ge=1950, le=2200)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        return _country(value)


class FrenchCertificateIn(Input):
    kind: CertificateKind
    level: LanguageLevel


class EligibilityCheckIn(Input):
    institution: str = Field(
        description="Slug of the institution, e.g. imt-nord-europe", max_length=SLUG_MAX_LENGTH
    )
    programme: str = Field(
        description="Slug of the programme in the institution's rulebook",
        max_length=SLUG_MAX_LENGTH,
    )
    campaign: str | None = Field(
        default=None,
        description="Slug of the campaign; default: the one open now",
        max_length=SLUG_MAX_LENGTH,
    )
    track: Track
    nationality: str = Field(description="ISO 3166-1 alpha-2 code", max_length=60)
    residence_country: str = Field(description="ISO 3166-1 alpha-2 code", max_length=60)
    permit: PermitIn | None = Field(
        default=None, description="A residence permit in France, for a non-EU national there"
    )
    diploma: DiplomaIn
    experience_years: Decimal = Field(default=Decimal(0), ge=0, le=MAX_YEARS, decimal_places=1)
    french_certificate: FrenchCertificateIn | None = None

    @field_validator("nationality", "residence_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        return _country(value)


class RouteOut(Schema):
    code: str
    kind: str
    label: Bilingual


class MessageOut(Schema):
    code: str
    text: Bilingual


class ImplicationsOut(Schema):
    vapp_required: bool
    conditional_admission: bool
    french_certificate_needed: bool
    translation: str | None
    campus_france: bool
    international_deadline: bool
    deadline: dt.date = Field(description="Last day to apply, to midnight Paris time")


class EligibilityCheckOut(Schema):
    institution: str
    campaign: str
    programme: str
    track: Track
    on: dt.date
    eligible: bool
    route: RouteOut | None
    reasons: list[MessageOut]
    notes: list[MessageOut]
    near_misses: list[Bilingual]
    implications: ImplicationsOut


# Applications ------------------------------------------------------------------------------


class ApplicationCreateIn(Input):
    campaign_id: int
    programme_id: int
    track: Track
    financing_mode: str = Field(max_length=60)
    cover_letter: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    professional_project: str = Field(default="", max_length=MAX_TEXT_LENGTH)


class ApplicationUpdateIn(Input):
    track: Track | None = None
    financing_mode: str | None = Field(default=None, max_length=60)
    cover_letter: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    professional_project: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class WithdrawIn(Input):
    reason: str = Field(default="", max_length=1000)


class NamedOut(Schema):
    id: int
    slug: str
    name: str


class ApplicationOut(Schema):
    reference: str
    status: str
    status_label: str
    institution: str
    campaign: NamedOut
    programme: NamedOut
    track: str
    financing_mode: str
    cover_letter: str
    professional_project: str
    fee_status: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    eligibility: dict[str, Any] | None = Field(
        description="The eligibility answer frozen at submission; null for a draft"
    )


class ProblemOut(Schema):
    code: str
    message: str
    fix: str
    field: str
    item: str


class CheckOut(Schema):
    ready: bool
    deadline: dt.datetime
    problems: list[ProblemOut]


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None
