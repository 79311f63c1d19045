"""The supporting documents an application needs, from the rulebook and the candidate's facts.

Each requirement of the rulebook applies under its `condition`; the list keeps the rulebook's
order so that the candidate sees the documents as the school lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from admissions.rules import explain
from admissions.rules.eligibility import EligibilityResult
from admissions.rules.facts import CandidateFacts, Education
from admissions.rules.international import residence_permit_concerned
from admissions.rules.schema import DocumentRequirement, FinancingMode, Rulebook, Text
from admissions.rules.vocabulary import (
    DocumentCondition,
    DocumentFormat,
    FeeDue,
    FinancingCategory,
    Track,
    TranslationPolicy,
)


class ChecklistError(ValueError):
    """The checklist cannot be drawn up for this choice of programme, track and financing."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: Text
    help: Text | None
    condition: DocumentCondition
    why: Text | None  # why this candidate is asked for it; None for documents everyone gives
    formats: tuple[DocumentFormat, ...]
    max_size_mb: Decimal
    max_bytes: int
    max_pages: int | None
    min_width_px: int | None
    min_height_px: int | None
    needs_validity_date: bool
    translation: TranslationPolicy | None  # how to translate it if not in the accepted language
    content_language: str | None  # the language it must be written in
    provided_by: str  # "candidate", or "staff" when the school uploads it
    min_text_length: int | None
    optional: bool = False  # listed, never required to submit
    due: FeeDue = FeeDue.APPLICATION  # after admission for "confirmation", "registration"
    number_label: Text | None = None  # a number typed with the file (CVEC attestation)
    form_url: str = ""  # a form the school provides, at this address
    form_file: str = ""  # the same, as a PDF of the platform's rulebook forms folder

    @property
    def translation_required(self) -> bool:
        return self.translation is not None

    @property
    def required_to_submit(self) -> bool:
        """A piece the candidate must provide before submitting the file."""
        return (
            self.provided_by == "candidate" and not self.optional and self.due == FeeDue.APPLICATION
        )


WHY: dict[DocumentCondition, Text] = {
    DocumentCondition.FRENCH_CERTIFICATE_NEEDED: explain.text(
        "un certificat de français est demandé à votre profil",
        "a French language certificate is required for your profile",
    ),
    DocumentCondition.RESIDENCE_PERMIT_CONCERNED: explain.text(
        "vous résidez en France sans être ressortissant de l'Union européenne",
        "you live in France and are not a national of the European Union",
    ),
    DocumentCondition.VAPP_REQUIRED: explain.text(
        "vous candidatez par une voie d'accès dérogatoire",
        "you apply through a derogatory entry route",
    ),
    DocumentCondition.FOREIGN_DIPLOMA: explain.text(
        "vous avez un diplôme obtenu à l'étranger",
        "you hold a diploma from abroad",
    ),
    DocumentCondition.DIPLOMA_OBTAINED: explain.text(
        "votre diplôme est déjà obtenu",
        "your diploma is already awarded",
    ),
    DocumentCondition.COMPANY_FUNDED: explain.text(
        "votre formation est financée par une entreprise",
        "a company funds your programme",
    ),
    DocumentCondition.WORK_STUDY: explain.text(
        "vous avez choisi l'alternance",
        "you chose the work-study track",
    ),
    DocumentCondition.REGION_FUNDED: explain.text(
        "votre place est financée par la région",
        "the region funds your place",
    ),
    DocumentCondition.NON_EU_NATIONAL: explain.text(
        "vous n'êtes pas ressortissant de l'Union européenne",
        "you are not a national of the European Union",
    ),
    DocumentCondition.EXPERIENCE_DECLARED: explain.text(
        "vous déclarez une expérience professionnelle, ou votre voie d'accès en demande une",
        "you declare professional experience, or your entry route asks for some",
    ),
    DocumentCondition.CVEC_DUE: explain.text(
        "la CVEC est due pour votre inscription",
        "the CVEC is due for your registration",
    ),
}


def document_checklist(
    rulebook: Rulebook,
    programme_slug: str,
    track: Track,
    financing_mode: str,
    facts: CandidateFacts,
    eligibility_result: EligibilityResult,
) -> list[ChecklistItem]:
    if eligibility_result.programme != programme_slug or eligibility_result.track != track:
        raise ChecklistError(
            "eligibility_mismatch",
            f"the eligibility result is for {eligibility_result.programme!r} "
            f"({eligibility_result.track}), not {programme_slug!r} ({track})",
        )
    mode = _financing_mode(rulebook, financing_mode, track)
    conditions = _conditions(rulebook, track, mode, facts, eligibility_result)
    policy = rulebook.documents.translation
    translate = policy != TranslationPolicy.NONE and facts.has_foreign_diploma
    # A typed text is asked in the application form, not as a file.
    return [
        item_for(requirement, policy if translate and requirement.translatable else None)
        for requirement in rulebook.documents.requirements
        if requirement.condition in conditions and not requirement.typed
    ]


def for_stage(items: list[ChecklistItem], *, admitted: bool) -> list[ChecklistItem]:
    """The items a file asks for at its stage: those due after admission only once admitted."""
    return [item for item in items if admitted or item.due == FeeDue.APPLICATION]


def relevant_diploma(facts: CandidateFacts, result: EligibilityResult) -> Education | None:
    """The diploma the application rests on: the entry route's, else the highest one."""
    if result.route is not None and result.route.diploma is not None:
        return result.route.diploma
    return max(facts.education, key=lambda d: (d.level, d.obtained), default=None)


def experience_declared(facts: CandidateFacts, result: EligibilityResult) -> bool:
    """The candidate declares work, or the entry route asks for experience."""
    route_asks = result.route is not None and result.route.min_experience.months > 0
    return bool(facts.work) or route_asks


def cvec_due(rulebook: Rulebook, mode: FinancingMode) -> bool:
    cvec = rulebook.fees.cvec
    if cvec is None:
        return False
    return cvec.payable_by == "everyone" or mode.category != FinancingCategory.COMPANY


def _conditions(
    rulebook: Rulebook,
    track: Track,
    mode: FinancingMode,
    facts: CandidateFacts,
    result: EligibilityResult,
) -> set[DocumentCondition]:
    diploma = relevant_diploma(facts, result)
    holds = {
        DocumentCondition.ALWAYS: True,
        DocumentCondition.FRENCH_CERTIFICATE_NEEDED: (
            result.implications.french_certificate_needed
        ),
        DocumentCondition.RESIDENCE_PERMIT_CONCERNED: residence_permit_concerned(facts),
        DocumentCondition.VAPP_REQUIRED: result.implications.vapp_required,
        DocumentCondition.FOREIGN_DIPLOMA: facts.has_foreign_diploma,
        DocumentCondition.DIPLOMA_OBTAINED: diploma is not None and diploma.obtained,
        DocumentCondition.COMPANY_FUNDED: mode.category == FinancingCategory.COMPANY,
        DocumentCondition.WORK_STUDY: track == Track.WORK_STUDY,
        DocumentCondition.REGION_FUNDED: mode.region_funded,
        DocumentCondition.NON_EU_NATIONAL: not facts.eu_national,
        DocumentCondition.EXPERIENCE_DECLARED: experience_declared(facts, result),
        DocumentCondition.CVEC_DUE: cvec_due(rulebook, mode),
    }
    return {condition for condition, applies in holds.items() if applies}


def _financing_mode(rulebook: Rulebook, code: str, track: Track) -> FinancingMode:
    try:
        mode = rulebook.financing_mode(code)
    except KeyError:
        known = ", ".join(mode.code for mode in rulebook.financing_modes)
        raise ChecklistError(
            "unknown_financing_mode", f"no financing mode {code!r} (the rulebook has: {known})"
        ) from None
    if mode.tracks and track not in mode.tracks:
        raise ChecklistError(
            "financing_mode_track", f"financing mode {code!r} is not open to the {track} track"
        )
    return mode


def item_for(
    requirement: DocumentRequirement,
    translation: TranslationPolicy | None,
    *,
    explained: bool = True,
) -> ChecklistItem:
    """The checklist line of one requirement; `explained` says why it applies to the candidate."""
    return ChecklistItem(
        code=requirement.code,
        label=requirement.label,
        help=requirement.help,
        condition=requirement.condition,
        why=WHY.get(requirement.condition) if explained else None,
        formats=tuple(requirement.formats),
        max_size_mb=requirement.max_size_mb,
        max_bytes=requirement.max_bytes,
        max_pages=requirement.max_pages,
        min_width_px=requirement.min_width_px,
        min_height_px=requirement.min_height_px,
        needs_validity_date=requirement.needs_validity_date,
        translation=translation,
        content_language=requirement.content_language,
        provided_by=requirement.provided_by,
        min_text_length=requirement.min_text_length,
        optional=requirement.optional,
        due=requirement.due,
        number_label=requirement.number_label,
        form_url=requirement.form_url,
        form_file=requirement.form_file,
    )
