"""The rulebook: one institution's admission rules for one campaign, as typed, validated data.

A rulebook is written in TOML (docs/rulebooks.md documents every key) and read by
`rules.rulebook.parse_rulebook`, which returns it with the operator's warnings or raises
`RulebookError` naming every key path that is wrong. The checks that span several sections
(references, unique codes, step order) live in `rules.rulebook_checks` so that they can run
on a file whose sections are themselves broken and be reported together.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from admissions.rules.money import parse_amount
from admissions.rules.rulebook_checks import consistency_problems
from admissions.rules.vocabulary import (
    AfterWindow,
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
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
ACADEMIC_YEAR = r"^\d{4}-\d{4}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

Amount = Annotated[
    Decimal,
    BeforeValidator(parse_amount),
    PlainSerializer(lambda value: str(value), return_type=str),
]
Slug = Annotated[str, Field(pattern=SLUG, max_length=60)]
Country = Annotated[str, Field(pattern=COUNTRY)]
AcademicYear = Annotated[str, Field(pattern=ACADEMIC_YEAR)]


class Strict(BaseModel):
    # Booleans and counts are StrictBool/StrictInt: "yes" or 3.5 in a rulebook is a mistake
    # to report, not a value to guess.
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
    contact_email: str = Field(pattern=EMAIL)
    contact_note: Text | None = None  # what the contact address can help with
    website: str = ""
    timezone: Literal["Europe/Paris"] = "Europe/Paris"


class Retention(Strict):
    """How long personal data is kept, per kind of file (see docs/privacy.md)."""

    # Files never admitted (drafts, withdrawn, not admitted, places declined or released):
    # months after the end of their campaign or their last change, whichever is later.
    not_admitted_months: StrictInt = Field(ge=1, le=120)
    # Admitted candidates' files: years after the end of their campaign.
    admitted_years: StrictInt = Field(ge=1, le=100)
    # Accounting records of a file (payments, refunds, receipts, invoices): years after the
    # last entry. A file with money on it is kept at least this long.
    accounting_years: StrictInt = Field(ge=1, le=30)
    # The log of staff's views and downloads of documents: months after each entry.
    access_log_months: StrictInt = Field(ge=1, le=60)


class Privacy(Strict):
    """The institution's data protection figures, printed in the privacy notice."""

    controller: str = Field(min_length=1)  # the legal entity responsible for the data
    controller_address: str = Field(min_length=1)
    dpo_email: str = Field(pattern=EMAIL)  # the data protection officer's address
    retention: Retention
    # Who else receives the data besides the institution's own staff (funders, CROUS...).
    recipients: Text
    # An institution's own additions to the notice, shown after the standard text.
    notice: Text | None = None


class Housing(Strict):
    monthly_min: Amount
    monthly_max: Amount
    description: Text

    @model_validator(mode="after")
    def _ordered(self) -> Housing:
        if self.monthly_min > self.monthly_max:
            raise ValueError(
                f"monthly_min: {self.monthly_min} EUR is above monthly_max {self.monthly_max} EUR"
            )
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
    duration_months: StrictInt = Field(ge=1, le=36)
    internship_months: StrictInt = Field(default=0, ge=0, le=36)
    tracks: list[Track] = Field(min_length=1)
    capacity: StrictInt = Field(ge=1)
    tuition: TuitionRates | None = None  # falls back to fees.tuition
    starts_on: dt.date | None = None  # first day of teaching for this campaign's intake
    description: Text | None = None
    teaching_languages: list[Literal["fr", "en"]] = Field(default=["fr"], min_length=1)

    @model_validator(mode="after")
    def _internship_fits(self) -> Programme:
        if self.internship_months > self.duration_months:
            raise ValueError(
                f"internship_months: {self.internship_months} months is longer than "
                f"duration_months ({self.duration_months})"
            )
        if len(set(self.tracks)) != len(self.tracks):
            raise ValueError("tracks: the same track is listed twice")
        return self


class RouteRequirements(Strict):
    """The facts a candidate's best diploma and career must show for a route to match."""

    min_level: StrictInt = Field(ge=0, le=8, description="Bac+N of the diploma")
    diploma_kinds: list[DiplomaKind] = Field(default_factory=list)  # empty: any kind
    diploma_origin: DiplomaOrigin = DiplomaOrigin.ANY
    min_experience_years: Decimal = Field(default=Decimal(0), ge=0, le=50)
    in_progress_allowed: StrictBool = False  # diploma expected this year counts


class RouteImplications(Strict):
    vapp_file: StrictBool = False
    conditional_admission_if_in_progress: StrictBool = True


class EntryRoute(Strict):
    """One way in. When several match, standard beats derogatory, then the order written."""

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


FORM_FILE = r"^[A-Za-z0-9][A-Za-z0-9._-]*\.pdf$"


class DocumentRequirement(Strict):
    code: Slug
    label: Text
    help: Text | None = None
    # What an uploaded piece may be; a typed piece (`typed`) has no file and needs neither.
    formats: list[DocumentFormat] = Field(default_factory=list)
    max_size_mb: Decimal = Field(default=Decimal(0), ge=0, le=100)
    max_pages: StrictInt | None = Field(default=None, ge=1)
    min_width_px: StrictInt | None = Field(default=None, ge=1)
    min_height_px: StrictInt | None = Field(default=None, ge=1)
    condition: DocumentCondition = DocumentCondition.ALWAYS
    needs_validity_date: StrictBool = False
    translatable: StrictBool = False  # a foreign-language version asks for a translation
    content_language: Literal["fr", "en"] | None = None  # the language it must be written in
    provided_by: Literal["candidate", "staff"] = "candidate"
    min_text_length: StrictInt | None = Field(default=None, ge=1)  # for texts typed in the form
    # A text typed in the application form (cover letter, project) instead of a file.
    typed: StrictBool = False
    optional: StrictBool = False  # shown, never required for submission
    # When it is asked: before submission, or after admission (to confirm, to register).
    due: FeeDue = FeeDue.APPLICATION
    # A number the candidate types with the file (the CVEC attestation number).
    number_label: Text | None = None
    # A form the school provides, to download and fill in: an address, or a PDF of the
    # platform's rulebook forms folder.
    form_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    form_file: str = Field(default="", pattern=rf"^({FORM_FILE[1:-1]})?$")

    @model_validator(mode="after")
    def _kind_of_piece(self) -> DocumentRequirement:
        if self.form_url and self.form_file:
            raise ValueError("form_url, form_file: give the form once, as an address or a file")
        if self.typed:
            if self.due != FeeDue.APPLICATION:
                raise ValueError("due: a typed text is part of the application, due application")
            return self
        if not self.formats:
            raise ValueError("formats: missing; a piece sent as a file needs at least one format")
        if self.max_size_mb <= 0:
            raise ValueError("max_size_mb: missing; a piece sent as a file needs a size limit")
        return self

    @property
    def max_bytes(self) -> int:
        return int(self.max_size_mb * 1024 * 1024)


class Documents(Strict):
    translation: TranslationPolicy
    # single_zip: the candidate sends one ZIP archive holding the pieces listed below.
    bundle: Literal["separate", "single_zip"] = "separate"
    requirements: list[DocumentRequirement] = Field(min_length=1)


class ApplicationFee(Strict):
    amount: Amount
    methods: list[PaymentMethod] = Field(min_length=1)
    # A candidate who says the transfer is made may submit before it is matched; a
    # declaration still unmatched after this many days is flagged.
    declared_transfer_days: StrictInt | None = Field(default=None, ge=1, le=60)

    @model_validator(mode="after")
    def _declared_transfers(self) -> ApplicationFee:
        if self.declared_transfer_days and PaymentMethod.BANK_TRANSFER not in self.methods:
            raise ValueError(
                "declared_transfer_days: only a fee paid by bank_transfer can be declared"
            )
        return self


class Deposit(Strict):
    amount: Amount
    tracks: list[Track] = Field(min_length=1)
    due: FeeDue = FeeDue.CONFIRMATION


class Cvec(Strict):
    amount: Amount
    reference_year: AcademicYear
    payable_by: Literal["not_company_funded", "everyone"]
    # "crous": the student pays the CROUS and gives the school the attestation number.
    collected_by: Literal["school", "crous"] = "school"

    @field_validator("reference_year")
    @classmethod
    def _consecutive(cls, value: str) -> str:
        return _academic_year(value)


class Fees(Strict):
    currency: Literal["EUR"] = "EUR"
    application: ApplicationFee
    deposit: Deposit | None = None
    tuition: TuitionRates | None = None  # default rates; a programme may set its own
    tuition_note: Text | None = None  # what the tuition includes or leaves out
    cvec: Cvec | None = None


class FinancingMode(Strict):
    code: Slug
    label: Text
    category: FinancingCategory
    tracks: list[Track] = Field(default_factory=list)  # empty: every track
    conditions: Text | None = None
    request_weeks_before_start: StrictInt | None = Field(default=None, ge=0, le=52)
    region_funded: StrictBool = False  # a regional council pays for the place
    # Who pays the tuition instead of the candidate (an OPCO, the employer, a region).
    funder: Text | None = None
    # Open only to people registered with France Travail (a fact of their profile).
    requires_france_travail: StrictBool = False


class PaymentPlan(Strict):
    instalments: StrictInt = Field(ge=1, le=24)
    first_due: FeeDue = FeeDue.REGISTRATION
    methods: list[PaymentMethod] = Field(min_length=1)
    wording: Text | None = None


class RefundRule(Strict):
    """Whether `charge` is given back when `event` happens.

    A rule naming the event wins over an `any` rule for the same charge; a charge no rule
    allows is never refunded.
    """

    code: Slug
    charge: ChargeKind
    event: RefundEvent
    allowed: StrictBool
    financing_modes: list[Slug] = Field(default_factory=list)  # empty: whatever the funding
    deadline: Text | None = None  # when the refund happens, e.g. "during the first quarter"
    # The documents.requirements code whose copy, accepted by staff, proves the event (the
    # funding agreement); required on an allowing funding_agreement_validated rule.
    proof_document: Slug | None = None
    # The refund is due by the end of this many months after the programme's starts_on.
    due_months_after_start: StrictInt | None = Field(default=None, ge=1, le=36)
    wording: Text


class DatedValue(Strict):
    """A date the source documents state, with the other dates they also give for it."""

    date: dt.date
    also_stated: list[dt.date] = Field(default_factory=list)
    note: Text | None = None


class Campaign(Strict):
    slug: Slug
    name: Text
    academic_year: AcademicYear | None = None  # the year taught; default: from closes_on
    opens_on: dt.date
    closes_on: DatedValue  # last day applications are accepted, to 23:59:59 Paris time
    international_deadline: DatedValue | None = None
    typical_duration: Text | None = None

    @field_validator("academic_year")
    @classmethod
    def _consecutive(cls, value: str | None) -> str | None:
        return None if value is None else _academic_year(value)

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.closes_on.date < self.opens_on:
            raise ValueError(
                f"closes_on.date: {self.closes_on.date} is before opens_on {self.opens_on}"
            )
        deadline = self.international_deadline
        if deadline and not self.opens_on <= deadline.date <= self.closes_on.date:
            raise ValueError(
                f"international_deadline.date: {deadline.date} is outside the campaign "
                f"({self.opens_on} to {self.closes_on.date})"
            )
        return self

    @property
    def teaching_year(self) -> str:
        """The academic year taught, "2024-2025"."""
        if self.academic_year:
            return self.academic_year
        start = self.closes_on.date.year
        return f"{start}-{start + 1}"


class JurySession(Strict):
    slug: Slug
    name: Text
    month: str = Field(pattern=MONTH)
    date: dt.date | None = None
    files_cutoff: dt.date | None = None  # files complete by this date go on the agenda

    @model_validator(mode="after")
    def _in_month(self) -> JurySession:
        if self.date and self.date.strftime("%Y-%m") != self.month:
            raise ValueError(f"date: {self.date} is not in month {self.month}")
        if self.date and self.files_cutoff and self.files_cutoff > self.date:
            raise ValueError(f"files_cutoff: {self.files_cutoff} is after the session date")
        return self


class Criterion(Strict):
    code: Slug
    label: Text


class Review(Strict):
    """The admissibility study by the pedagogical lead."""

    positive: Text  # "admissible" / "avis favorable"
    negative: Text
    negative_ends_application: StrictBool  # False: an unfavourable file still goes to the jury
    criteria: list[Criterion] = Field(min_length=1)
    # How many days a file may wait in one step (completeness, study, interview, jury)
    # before the staff's lists flag it; none: nothing is flagged.
    step_target_days: StrictInt | None = Field(default=None, ge=1, le=365)


class Interview(Strict):
    mandatory: StrictBool
    modes: list[InterviewMode] = Field(min_length=1)
    duration_minutes: StrictInt = Field(ge=5, le=240)
    purpose: Text
    criteria: list[Criterion] = Field(min_length=1)


class DerogationCap(Strict):
    """The largest share of a cohort admitted through derogatory routes, and where it comes from."""

    percent: StrictInt = Field(ge=0, le=100)
    source: Text


class Jury(Strict):
    criteria: list[Criterion] = Field(default_factory=list)
    decisions: list[JuryDecision] = Field(min_length=2)
    irrevocable: StrictBool = True
    appeal_allowed: StrictBool = False
    notified_by: Literal["email"] = "email"
    rolling: StrictBool = False  # meets as files are ready, without fixed sessions
    wording: Text | None = None
    # Members (the president included) who must sit for the session's decisions to stand.
    quorum: StrictInt = Field(default=3, ge=1, le=50)
    # Decisions the jury must give a reason for.
    reasons_required_for: list[JuryDecision] = Field(default_factory=list)
    derogation_cap: DerogationCap | None = None


class Confirmation(Strict):
    window_days: StrictInt = Field(ge=1, le=90)
    charges: list[ChargeKind] = Field(default_factory=list)  # to pay to confirm a place
    wording: Text
    after_window: AfterWindow = AfterWindow.RELEASE_AT_ONCE
    # Days before the end of the window on which the candidate is reminded.
    reminder_days: list[Annotated[int, Field(strict=True, ge=1, le=60)]] = Field(
        default_factory=lambda: [5, 1], max_length=5
    )
    # Admitted on condition (a diploma still to obtain): the diploma is due by the end of
    # this day, and the requirement code its copy is sent under.
    condition_deadline: dt.date | None = None
    condition_document: Slug | None = None

    @model_validator(mode="after")
    def _reminders_inside_window(self) -> Confirmation:
        late = [day for day in self.reminder_days if day >= self.window_days]
        if late:
            raise ValueError(
                f"reminder_days: {late} not shorter than window_days ({self.window_days})"
            )
        if len(set(self.reminder_days)) != len(self.reminder_days):
            raise ValueError("reminder_days: a day is listed twice")
        return self


class RestrictionException(Strict):
    kind: ExceptionKind
    min_years_in_france: Decimal | None = Field(default=None, ge=0)
    permit_kinds: list[PermitKind] = Field(default_factory=list)
    permit_must_be_valid: StrictBool = True
    label: Text


class InternationalRestriction(Strict):
    code: Slug
    tracks: list[Track] = Field(min_length=1)
    restricted: RestrictedGroup
    exceptions: list[RestrictionException] = Field(default_factory=list)
    wording: Text


class International(Strict):
    restrictions: list[InternationalRestriction] = Field(default_factory=list)
    campus_france_for_non_eu: StrictBool = False
    # Who campaign.international_deadline concerns.
    deadline_applies_to: RestrictedGroup = RestrictedGroup.CANDIDATES_ABROAD
    notes: Text | None = None
    # The documents.requirements code under which a refused visa's decision is sent: accepted
    # by the office, it proves the refusal (for the refunds the rulebook allows on it).
    visa_refusal_document: Slug | None = None


class StatusStep(Strict):
    step: Step
    label: Text
    description: Text | None = None
    expected_duration: Text | None = None
    optional: StrictBool = False  # shown only to the files that go through it


# Validation context of a rulebook read back from storage (`rulebook_from_data`): it was
# fully checked when loaded, and what it holds is already in its checked, compact form.
STORED = "stored"


def is_stored(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get(STORED))


class BankAccount(Strict):
    holder: str = Field(min_length=1)
    holder_address: str = ""
    iban: str
    bic: str
    bank_name: str = ""
    bank_address: str = ""
    phone: str = ""

    # schwifty loads its bank registries (about 13 MiB) when imported: it is imported here,
    # when bank details are checked, and not by a process that only reads stored rules.

    @field_validator("iban", mode="before")
    @classmethod
    def _iban(cls, value: Any, info: ValidationInfo) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected an IBAN as a text, got {value!r}")
        if is_stored(info):
            return value
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        try:
            # validate_bban checks the national key too (the French RIB key).
            return str(IBAN(value, validate_bban=True).compact)
        except SchwiftyException as error:
            raise ValueError(f'expected a valid IBAN, got "{value}" ({error})') from None

    @field_validator("bic", mode="before")
    @classmethod
    def _bic(cls, value: Any, info: ValidationInfo) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected a BIC as a text, got {value!r}")
        if is_stored(info):
            return value
        from schwifty import BIC
        from schwifty.exceptions import SchwiftyException

        try:
            return str(BIC(value).compact)
        except SchwiftyException as error:
            raise ValueError(f'expected a valid BIC, got "{value}" ({error})') from None


class ToConfirm(Strict):
    """A value the school's documents do not state and that changes what a candidate may do."""

    key: str = Field(min_length=1)  # a key path: "campaign.opens_on", "programmes[*].tuition"
    note: Text | None = None


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
    # None: no retention periods set, so the retention job leaves the institution's files.
    privacy: Privacy | None = None
    common_mistakes: list[Text] = Field(default_factory=list)
    to_confirm: list[ToConfirm] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Rulebook:
        problems = consistency_problems(self.model_dump(mode="json"))
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

    def refund_rules(self, charge: ChargeKind) -> list[RefundRule]:
        return [rule for rule in self.refunds if rule.charge == charge]


def _academic_year(value: str) -> str:
    start, end = (int(part) for part in value.split("-"))
    if end != start + 1:
        raise ValueError(f'expected two consecutive years such as "2024-2025", got "{value}"')
    return value
