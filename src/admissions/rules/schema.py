"""The rulebook: one institution's admission rules as typed, validated data.

A rulebook is written in TOML (see docs/rulebooks.md) and read by `load_rulebook`, which
returns a `Rulebook` or raises `RulebookError` naming every key path that is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from admissions.rules.money import parse_amount
from admissions.rules.vocabulary import (
    ChargeKind,
    DiplomaKind,
    DiplomaOrigin,
    DocumentCondition,
    DocumentFormat,
    ExceptionKind,
    FeeDue,
    FinancingCategory,
    InterviewMode,
    JuryDecision,
    PaymentMethod,
    PermitKind,
    RefundEvent,
    RestrictedGroup,
    RouteKind,
    Step,
    Track,
    TranslationPolicy,
)

SCHEMA_VERSION = 1
SLUG = r"^[a-z0-9][a-z0-9-]*$"
COUNTRY = r"^[A-Z]{2}$"

Amount = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    PlainSerializer(lambda value: str(value), return_type=str),
]
Slug = Annotated[str, Field(pattern=SLUG, max_length=60)]
Country = Annotated[str, Field(pattern=COUNTRY)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(Strict):
    """A text in both languages of the platform."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") else self.fr


class Institution(Strict):
    slug: Slug
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    description: Text
    contact_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    website: str = ""
    timezone: Literal["Europe/Paris"] = "Europe/Paris"


class Housing(Strict):
    monthly_min: Amount
    monthly_max: Amount
    description: Text

    @model_validator(mode="after")
    def _ordered(self) -> Housing:
        if self.monthly_min > self.monthly_max:
            raise ValueError("monthly_min is above monthly_max")
        return self


class Site(Strict):
    slug: Slug
    name: str = Field(min_length=1)
    address: str = Field(min_length=1)
    phone: str = ""
    housing: Housing | None = None


class TuitionRates(Strict):
    """Tuition by financing category, in EUR for the whole programme."""

    personal: Amount
    company: Amount


class Programme(Strict):
    slug: Slug
    name: Text
    site: Slug
    duration_months: int = Field(ge=1, le=36)
    internship_months: int = Field(default=0, ge=0, le=36)
    tracks: list[Track] = Field(min_length=1)
    capacity: int = Field(ge=1)
    tuition: TuitionRates | None = None  # falls back to fees.tuition
    description: Text | None = None

    @model_validator(mode="after")
    def _internship_fits(self) -> Programme:
        if self.internship_months > self.duration_months:
            raise ValueError("internship_months is longer than duration_months")
        if len(set(self.tracks)) != len(self.tracks):
            raise ValueError("tracks lists the same track twice")
        return self


class RouteRequirements(Strict):
    """The facts a candidate's best diploma and career must show for a route to match."""

    min_level: int = Field(ge=0, le=8, description="Bac+N of the diploma")
    diploma_kinds: list[DiplomaKind] = Field(default_factory=list)  # empty: any kind
    diploma_origin: DiplomaOrigin = DiplomaOrigin.ANY
    min_experience_years: Decimal = Field(default=Decimal(0), ge=0, le=50)
    in_progress_allowed: bool = False  # diploma expected this year counts


class RouteImplications(Strict):
    vapp_file: bool = False
    conditional_admission_if_in_progress: bool = True


class EntryRoute(Strict):
    code: Slug
    kind: RouteKind
    label: Text
    programmes: list[Slug] = Field(default_factory=list)  # empty: every programme
    requires: RouteRequirements
    implies: RouteImplications = RouteImplications()


class FrenchLanguage(Strict):
    """When a French certificate (DELF/DALF/TCF) is required and at which level."""

    required_level: Literal["A1", "A2", "B1", "B2", "C1", "C2"]
    accepted_certificates: list[Literal["DELF", "DALF", "TCF", "TEF"]] = Field(min_length=1)
    exempt_nationalities: list[Country] = Field(default_factory=list)
    exempt_if_diploma_from: list[Country] = Field(default_factory=list)


class DocumentRequirement(Strict):
    code: Slug
    label: Text
    help: Text | None = None
    formats: list[DocumentFormat] = Field(min_length=1)
    max_size_mb: Decimal = Field(gt=0, le=100)
    max_pages: int | None = Field(default=None, ge=1)
    min_width_px: int | None = Field(default=None, ge=1)
    min_height_px: int | None = Field(default=None, ge=1)
    condition: DocumentCondition = DocumentCondition.ALWAYS
    needs_validity_date: bool = False
    translatable: bool = False  # a foreign-language version asks for a translation
    min_text_length: int | None = Field(default=None, ge=1)  # for texts typed in the form

    @property
    def max_bytes(self) -> int:
        return int(self.max_size_mb * 1024 * 1024)


class Documents(Strict):
    translation: TranslationPolicy
    bundle: Literal["separate", "single_zip"] = "separate"
    requirements: list[DocumentRequirement] = Field(min_length=1)


class ApplicationFee(Strict):
    amount: Amount
    methods: list[PaymentMethod] = Field(min_length=1)


class Deposit(Strict):
    amount: Amount
    tracks: list[Track] = Field(min_length=1)
    due: FeeDue = FeeDue.CONFIRMATION


class Cvec(Strict):
    amount: Amount
    reference_year: str = Field(pattern=r"^\d{4}-\d{4}$")
    payable_by: Literal["not_company_funded", "everyone"]


class Fees(Strict):
    currency: Literal["EUR"] = "EUR"
    application: ApplicationFee
    deposit: Deposit | None = None
    tuition: TuitionRates | None = None  # default rates; a programme may set its own
    cvec: Cvec | None = None


class FinancingMode(Strict):
    code: Slug
    label: Text
    category: FinancingCategory
    tracks: list[Track] = Field(default_factory=list)  # empty: every track
    conditions: Text | None = None
    request_weeks_before_start: int | None = Field(default=None, ge=0)


class PaymentPlan(Strict):
    instalments: int = Field(ge=1, le=24)
    first_due: FeeDue = FeeDue.REGISTRATION
    methods: list[PaymentMethod] = Field(min_length=1)


class RefundRule(Strict):
    code: Slug
    charge: ChargeKind
    event: RefundEvent
    allowed: bool
    deadline: Text | None = None  # e.g. "during the first quarter"
    wording: Text


class DatedValue(Strict):
    """A date the source documents state, with the other dates they also give for it."""

    date: dt.date
    also_stated: list[dt.date] = Field(default_factory=list)
    note: Text | None = None


class Campaign(Strict):
    slug: Slug
    name: Text
    opens_on: dt.date
    closes_on: DatedValue  # last day applications are accepted, to 23:59:59 Paris time
    international_deadline: DatedValue | None = None
    typical_duration: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.closes_on.date < self.opens_on:
            raise ValueError("closes_on is before opens_on")
        if self.international_deadline and not (
            self.opens_on <= self.international_deadline.date <= self.closes_on.date
        ):
            raise ValueError("international_deadline is outside opens_on .. closes_on")
        return self


class JurySession(Strict):
    slug: Slug
    name: Text
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    date: dt.date | None = None
    files_cutoff: dt.date | None = None  # files complete by this date go on the agenda

    @model_validator(mode="after")
    def _in_month(self) -> JurySession:
        if self.date and self.date.strftime("%Y-%m") != self.month:
            raise ValueError(f"date {self.date} is not in month {self.month}")
        if self.date and self.files_cutoff and self.files_cutoff > self.date:
            raise ValueError("files_cutoff is after the session date")
        return self


class Criterion(Strict):
    code: Slug
    label: Text


class Review(Strict):
    """The admissibility study by the pedagogical lead."""

    positive: Text  # "admissible" / "avis favorable"
    negative: Text
    negative_ends_application: bool  # False: an unfavourable file still goes to the jury
    criteria: list[Criterion] = Field(min_length=1)


class Interview(Strict):
    mandatory: bool
    modes: list[InterviewMode] = Field(min_length=1)
    duration_minutes: int = Field(ge=5, le=240)
    purpose: Text
    criteria: list[Criterion] = Field(min_length=1)


class Jury(Strict):
    criteria: list[Criterion] = Field(default_factory=list)
    decisions: list[JuryDecision] = Field(min_length=2)
    irrevocable: bool = True
    appeal_allowed: bool = False
    notified_by: Literal["email"] = "email"


class Confirmation(Strict):
    window_days: int = Field(ge=1, le=90)
    charges: list[ChargeKind] = Field(default_factory=list)  # to pay to confirm a place
    wording: Text


class RestrictionException(Strict):
    kind: ExceptionKind
    min_years_in_france: Decimal | None = Field(default=None, ge=0)
    permit_kinds: list[PermitKind] = Field(default_factory=list)
    permit_must_be_valid: bool = True
    label: Text


class InternationalRestriction(Strict):
    code: Slug
    tracks: list[Track] = Field(min_length=1)
    restricted: RestrictedGroup
    exceptions: list[RestrictionException] = Field(default_factory=list)
    wording: Text


class International(Strict):
    restrictions: list[InternationalRestriction] = Field(default_factory=list)
    campus_france_for_non_eu: bool = False
    notes: Text | None = None


class StatusStep(Strict):
    step: Step
    label: Text
    expected_duration: Text | None = None


class BankAccount(Strict):
    holder: str = Field(min_length=1)
    holder_address: str = ""
    iban: str
    bic: str = Field(pattern=r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
    bank_name: str = ""
    bank_address: str = ""
    phone: str = ""

    @field_validator("iban", mode="before")
    @classmethod
    def _iban(cls, value: Any) -> str:
        text = re.sub(r"\s+", "", str(value)).upper()
        if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", text):
            raise ValueError(f"expected an IBAN, got {value!r}")
        rearranged = text[4:] + text[:4]
        digits = "".join(str(int(char, 36)) for char in rearranged)
        if int(digits) % 97 != 1:
            raise ValueError(f"IBAN {value!r} has wrong check digits")
        return text


class Rulebook(Strict):
    schema_version: Literal[1]
    institution: Institution
    sites: list[Site] = Field(min_length=1)
    programmes: list[Programme] = Field(min_length=1)
    entry_routes: list[EntryRoute] = Field(min_length=1)
    language: FrenchLanguage | None = None
    documents: Documents
    fees: Fees
    financing_modes: list[FinancingMode] = Field(min_length=1)
    payment_plan: PaymentPlan | None = None
    refunds: list[RefundRule] = Field(default_factory=list)
    campaign: Campaign
    jury_sessions: list[JurySession] = Field(default_factory=list)
    review: Review
    interview: Interview
    jury: Jury
    confirmation: Confirmation
    international: International = International()
    steps: list[StatusStep] = Field(min_length=2)
    bank_account: BankAccount | None = None

    @model_validator(mode="after")
    def _references(self) -> Rulebook:
        problems: list[str] = []
        sites = {site.slug for site in self.sites}
        programmes = {programme.slug for programme in self.programmes}
        _unique(problems, "sites", [site.slug for site in self.sites])
        _unique(problems, "programmes", [p.slug for p in self.programmes])
        _unique(problems, "entry_routes", [route.code for route in self.entry_routes])
        _unique(problems, "financing_modes", [mode.code for mode in self.financing_modes])
        _unique(problems, "documents.requirements", [r.code for r in self.documents.requirements])
        _unique(problems, "jury_sessions", [session.slug for session in self.jury_sessions])
        _unique(problems, "refunds", [rule.code for rule in self.refunds])
        for index, programme in enumerate(self.programmes):
            if programme.site not in sites:
                problems.append(
                    f"programmes.{index}.site: unknown site {programme.site!r}, "
                    f"expected one of {sorted(sites)}"
                )
            if programme.tuition is None and self.fees.tuition is None:
                problems.append(
                    f"programmes.{index}.tuition: no tuition for {programme.slug!r} "
                    "and no default fees.tuition"
                )
        for index, route in enumerate(self.entry_routes):
            for slug in route.programmes:
                if slug not in programmes:
                    problems.append(
                        f"entry_routes.{index}.programmes: unknown programme {slug!r}"
                    )
        methods = set(self.fees.application.methods)
        if PaymentMethod.BANK_TRANSFER in methods and self.bank_account is None:
            problems.append("bank_account: required when a fee is paid by bank transfer")
        if self.payment_plan and PaymentMethod.BANK_TRANSFER in self.payment_plan.methods:
            if self.bank_account is None:
                problems.append("bank_account: required when tuition is paid by bank transfer")
        charges_known = {ChargeKind.APPLICATION_FEE, ChargeKind.TUITION}
        if self.deposit_defined:
            charges_known.add(ChargeKind.DEPOSIT)
        if self.fees.cvec:
            charges_known.add(ChargeKind.CVEC)
        if self.payment_plan:
            charges_known.add(ChargeKind.TUITION_FIRST_INSTALMENT)
        for index, rule in enumerate(self.refunds):
            if rule.charge not in charges_known:
                problems.append(
                    f"refunds.{index}.charge: {rule.charge.value!r} is not charged by this "
                    "rulebook"
                )
        for index, charge in enumerate(self.confirmation.charges):
            if charge not in charges_known:
                problems.append(
                    f"confirmation.charges.{index}: {charge.value!r} is not charged by this "
                    "rulebook"
                )
        steps = [step.step for step in self.steps]
        if steps[0] != Step.APPLY:
            problems.append("steps.0.step: the first step must be 'apply'")
        if len(set(steps)) != len(steps):
            problems.append("steps: a step is listed twice")
        if self.interview.mandatory and Step.INTERVIEW not in steps:
            problems.append("steps: a mandatory interview needs an 'interview' step")
        for index, session in enumerate(self.jury_sessions):
            if session.date and session.date < self.campaign.opens_on:
                problems.append(f"jury_sessions.{index}.date: before the campaign opens")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def deposit_defined(self) -> bool:
        return self.fees.deposit is not None

    def programme(self, slug: str) -> Programme:
        for programme in self.programmes:
            if programme.slug == slug:
                return programme
        raise KeyError(slug)

    def site(self, slug: str) -> Site:
        for site in self.sites:
            if site.slug == slug:
                return site
        raise KeyError(slug)

    def financing_mode(self, code: str) -> FinancingMode:
        for mode in self.financing_modes:
            if mode.code == code:
                return mode
        raise KeyError(code)

    def routes_for(self, programme_slug: str) -> list[EntryRoute]:
        return [
            route
            for route in self.entry_routes
            if not route.programmes or programme_slug in route.programmes
        ]

    def tuition_for(self, programme_slug: str) -> TuitionRates:
        rates = self.programme(programme_slug).tuition or self.fees.tuition
        if rates is None:  # excluded by validation
            raise KeyError(programme_slug)
        return rates


def _unique(problems: list[str], path: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            problems.append(f"{path}: {key!r} is defined twice")
        seen.add(key)
