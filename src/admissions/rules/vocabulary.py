"""The closed vocabularies rulebooks and rules speak in.

Rulebooks choose among these words; adding a word is a code change because the engine must
know what it means. Values are stable identifiers stored in the database and the API.
"""

from __future__ import annotations

from enum import StrEnum


class Track(StrEnum):
    FULL_TIME = "full_time"  # full-time with an internship
    WORK_STUDY = "work_study"  # alternance


class DiplomaKind(StrEnum):
    CTI_ENGINEERING = "cti_engineering"  # engineering diploma accredited by the CTI
    MASTER_M2 = "master_m2"  # university master, second year
    MASTER_M1 = "master_m1"  # university master first year, or maîtrise
    MANAGEMENT_SCHOOL = "management_school"  # grande école de management diploma
    RNCP_LEVEL_7 = "rncp_level_7"  # title registered at RNCP level 7
    LICENCE = "licence"  # bachelor's degree (Bac+3)
    BACHELOR_OTHER = "bachelor_other"  # other Bac+3 diploma (BUT, bachelor...)
    FOREIGN = "foreign"  # foreign diploma, level given by its equivalence
    OTHER = "other"


class RouteKind(StrEnum):
    STANDARD = "standard"
    DEROGATORY = "derogatory"


class DiplomaOrigin(StrEnum):
    ANY = "any"
    FRENCH = "french"  # obtained in France
    FOREIGN = "foreign"  # obtained abroad


class FinancingCategory(StrEnum):
    # Stated, not a docstring: the API's schema shows it, and the server drops docstrings.
    __doc__ = "How tuition is priced; each financing mode of a rulebook falls in one category."

    PERSONAL = "personal"  # personal funding or job seeker
    COMPANY = "company"  # employer, OPCO, Transition Pro


class PaymentMethod(StrEnum):
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    SEPA_DIRECT_DEBIT = "sepa_direct_debit"


class ChargeKind(StrEnum):
    APPLICATION_FEE = "application_fee"
    DEPOSIT = "deposit"
    CVEC = "cvec"
    TUITION = "tuition"
    TUITION_FIRST_INSTALMENT = "tuition_first_instalment"


class RefundEvent(StrEnum):
    # Stated, not a docstring: the API's schema shows it, and the server drops docstrings.
    __doc__ = "What happened that may make a charge refundable."

    ANY = "any"  # whatever the reason
    CANDIDATE_WITHDRAWS = "candidate_withdraws"  # renonciation, démission
    UNFAVOURABLE_DECISION = "unfavourable_decision"
    FUNDING_AGREEMENT_VALIDATED = "funding_agreement_validated"  # OPCO or employer agreement
    VISA_REFUSED = "visa_refused"


class DocumentCondition(StrEnum):
    """When a required document applies, evaluated on the candidate's facts."""

    ALWAYS = "always"
    FRENCH_CERTIFICATE_NEEDED = "french_certificate_needed"
    RESIDENCE_PERMIT_CONCERNED = "residence_permit_concerned"  # non-EU living in France
    VAPP_REQUIRED = "vapp_required"  # derogatory route
    FOREIGN_DIPLOMA = "foreign_diploma"
    DIPLOMA_OBTAINED = "diploma_obtained"  # highest diploma already awarded
    COMPANY_FUNDED = "company_funded"
    WORK_STUDY = "work_study"
    REGION_FUNDED = "region_funded"
    NON_EU_NATIONAL = "non_eu_national"
    # Professional experience is declared in the profile, or the entry route rests on it.
    EXPERIENCE_DECLARED = "experience_declared"
    CVEC_DUE = "cvec_due"  # the CVEC is due from this candidate (fees.cvec.payable_by)


class DocumentFormat(StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"


class TranslationPolicy(StrEnum):
    NONE = "none"  # foreign-language documents accepted as they are
    CERTIFIED = "certified"  # certified translation required
    FRENCH_OR_ENGLISH = "french_or_english"  # translation into French or English


class InterviewMode(StrEnum):
    VIDEO = "video"
    PHONE = "phone"
    ON_SITE = "on_site"


class ExceptionKind(StrEnum):
    EU_NATIONAL = "eu_national"
    RESIDENT_WITH_PERMIT = "resident_with_permit"


class PermitKind(StrEnum):
    STUDENT = "student"
    OTHER = "other"


class RestrictedGroup(StrEnum):
    NON_EU_NATIONALS = "non_eu_nationals"
    CANDIDATES_ABROAD = "candidates_abroad"  # living outside France, whatever the nationality


class Step(StrEnum):
    """The steps a candidate sees on the status page; each rulebook orders its own."""

    APPLY = "apply"
    FEE = "fee"
    REVIEW = "review"
    INTERVIEW = "interview"
    JURY = "jury"
    CONFIRM = "confirm"


class JuryDecision(StrEnum):
    ADMITTED = "admitted"
    ADMITTED_CONDITIONALLY = "admitted_conditionally"
    WAITLISTED = "waitlisted"
    NOT_ADMITTED = "not_admitted"


class FeeDue(StrEnum):
    # Stated, not a docstring: the API's schema shows it, and the server drops docstrings.
    __doc__ = "When a charge becomes due."

    APPLICATION = "application"  # before submission
    CONFIRMATION = "confirmation"  # to confirm a place after admission
    REGISTRATION = "registration"  # at administrative registration


class AfterWindow(StrEnum):
    """What becomes of an offered place once the time to confirm it is over."""

    RELEASE_AT_ONCE = "release_at_once"  # the offer lapses when the window ends
    # The offer lapses only when a waiting candidate needs the place; until then the
    # candidate may still confirm while a place is free.
    RELEASE_WHEN_NEEDED = "release_when_needed"
    KEEP_UNTIL_RELEASED = "keep_until_released"  # the place is kept until staff release it
