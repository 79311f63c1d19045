"""The shipped rulebooks hold every rule and figure of the two schools' source documents."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from pydantic import BaseModel

from admissions.rulebooks import PRESETS, preset_path
from admissions.rules.rulebook import LoadedRulebook, read_rulebook
from admissions.rules.schema import Rulebook, Text
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


@pytest.fixture(scope="module")
def bs_loaded() -> LoadedRulebook:
    return read_rulebook(preset_path("imt-bs"))


@pytest.fixture(scope="module")
def nord_loaded() -> LoadedRulebook:
    return read_rulebook(preset_path("imt-nord-europe"))


@pytest.fixture(scope="module")
def bs(bs_loaded: LoadedRulebook) -> Rulebook:
    return bs_loaded.rulebook


@pytest.fixture(scope="module")
def nord(nord_loaded: LoadedRulebook) -> Rulebook:
    return nord_loaded.rulebook


def texts(value: object) -> Iterator[Text]:
    if isinstance(value, Text):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from texts(getattr(value, name))
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


# Texts that read the same in both languages.
SAME_IN_BOTH = {"Transition Pro", "Curriculum vitae", "20–40 min"}


@pytest.mark.parametrize("slug", PRESETS)
def test_every_text_is_translated(slug: str) -> None:
    rulebook = read_rulebook(preset_path(slug)).rulebook
    found = list(texts(rulebook))
    assert len(found) > 50
    untranslated = [text.fr for text in found if text.fr == text.en]
    assert set(untranslated) <= SAME_IN_BOTH


@pytest.mark.parametrize("slug", PRESETS)
def test_invented_values_are_marked(slug: str) -> None:
    lines = preset_path(slug).read_text(encoding="utf-8").splitlines()
    for key in ("capacity", "starts_on"):
        marked = [line for line in lines if re.match(rf"{key} = ", line)]
        assert marked
        assert all("INVENTED" in line for line in marked), marked


@pytest.mark.parametrize("slug", PRESETS)
def test_common_to_both_presets(slug: str) -> None:
    rulebook = read_rulebook(preset_path(slug)).rulebook
    assert rulebook.schema_version == 1
    assert rulebook.institution.slug == slug
    assert rulebook.campaign.slug == "2024-2025"
    assert rulebook.campaign.teaching_year == "2024-2025"
    assert rulebook.fees.currency == "EUR"
    assert len(rulebook.programmes) >= 4
    assert all(programme.duration_months == 12 for programme in rulebook.programmes)
    assert rulebook.jury.irrevocable
    assert not rulebook.jury.appeal_allowed
    assert rulebook.jury.notified_by == "email"
    fee_rules = rulebook.refund_rules(ChargeKind.APPLICATION_FEE)
    assert [(rule.event, rule.allowed) for rule in fee_rules] == [(RefundEvent.ANY, False)]


# IMT-BS ---------------------------------------------------------------------------------


def test_bs_institution_and_contact(bs: Rulebook) -> None:
    assert bs.institution.name == "IMT-BS Executive Education"
    assert bs.institution.contact_email == "execed@imt-bs.eu"
    assert "label CGE" in bs.institution.description.fr
    assert bs.institution.contact_note is not None
    assert "alternance" in bs.institution.contact_note.fr


def test_bs_standard_routes(bs: Rulebook) -> None:
    routes = {route.code: route for route in bs.entry_routes if route.kind == RouteKind.STANDARD}
    assert set(routes) == {
        "bac5",
        "bac4-trois-ans-experience",
        "diplome-etranger-m1-m2",
        "rncp-niveau-7",
    }
    bac5 = routes["bac5"].requires
    assert bac5.min_level == 5
    assert set(bac5.diploma_kinds) == {
        DiplomaKind.MASTER_M2,
        DiplomaKind.CTI_ENGINEERING,
        DiplomaKind.MANAGEMENT_SCHOOL,
    }
    bac4 = routes["bac4-trois-ans-experience"].requires
    assert (bac4.min_level, bac4.min_experience_years) == (4, Decimal(3))
    foreign = routes["diplome-etranger-m1-m2"].requires
    assert (foreign.min_level, foreign.diploma_origin) == (4, DiplomaOrigin.FOREIGN)
    assert routes["rncp-niveau-7"].requires.diploma_kinds == [DiplomaKind.RNCP_LEVEL_7]
    assert not any(route.implies.vapp_file for route in routes.values())
    # The guide makes no room for a diploma still in progress.
    assert not any(route.requires.in_progress_allowed for route in bs.entry_routes)


def test_bs_derogatory_routes_are_per_programme_with_vapp(bs: Rulebook) -> None:
    derogatory = [route for route in bs.entry_routes if route.kind == RouteKind.DEROGATORY]
    assert derogatory
    for route in derogatory:
        assert route.implies.vapp_file
        assert route.programmes
        assert set(route.programmes) < {programme.slug for programme in bs.programmes}
    excluded = [
        programme.slug
        for programme in bs.programmes
        if not any(route.kind == RouteKind.DEROGATORY for route in bs.routes_for(programme.slug))
    ]
    assert excluded


def test_bs_application_fee_paid_online_never_refunded(bs: Rulebook) -> None:
    assert bs.fees.application.amount == Decimal("80.00")
    assert bs.fees.application.methods == [PaymentMethod.CARD]
    (rule,) = bs.refund_rules(ChargeKind.APPLICATION_FEE)
    assert "non remboursables" in rule.wording.fr
    assert bs.bank_account is None


def test_bs_deposit_and_its_refunds(bs: Rulebook) -> None:
    deposit = bs.fees.deposit
    assert deposit is not None
    assert deposit.amount == Decimal("450.00")
    assert deposit.tracks == [Track.WORK_STUDY]
    assert deposit.due == FeeDue.CONFIRMATION
    rules = {rule.event: rule for rule in bs.refund_rules(ChargeKind.DEPOSIT)}
    funded = rules[RefundEvent.FUNDING_AGREEMENT_VALIDATED]
    assert funded.allowed
    assert set(funded.financing_modes) == {"opco", "entreprise"}
    assert funded.deadline is not None
    assert "1er trimestre" in funded.deadline.fr
    assert "accord requis" in funded.wording.fr
    withdrawn = rules[RefundEvent.CANDIDATE_WITHDRAWS]
    assert not withdrawn.allowed
    assert withdrawn.wording.fr == "Acompte non remboursable en cas de renonciation."
    assert bs.confirmation.charges == [ChargeKind.DEPOSIT]


def test_bs_tuition_varies_by_programme(bs: Rulebook) -> None:
    assert bs.fees.tuition is None
    assert bs.fees.tuition_note is not None
    assert "brochure" in bs.fees.tuition_note.fr
    rates = {programme.slug: bs.tuition_for(programme.slug) for programme in bs.programmes}
    assert len({(rate.personal, rate.company) for rate in rates.values()}) == len(rates)
    assert all(rate.company > rate.personal for rate in rates.values())
    # The guide says nothing of the CVEC: paid to the CROUS, an invented value to confirm.
    assert bs.fees.cvec is not None
    assert bs.fees.cvec.collected_by == "crous"
    assert "fees.cvec" in {item.key for item in bs.to_confirm}
    assert bs.payment_plan is None


def test_bs_financing_modes(bs: Rulebook) -> None:
    categories = {mode.code: mode.category for mode in bs.financing_modes}
    assert categories["opco"] == FinancingCategory.COMPANY
    assert categories["entreprise"] == FinancingCategory.COMPANY
    assert categories["personnel"] == FinancingCategory.PERSONAL
    assert bs.financing_mode("opco").tracks == [Track.WORK_STUDY]


def test_bs_documents(bs: Rulebook) -> None:
    documents = bs.documents
    assert documents.translation == TranslationPolicy.CERTIFIED
    assert documents.bundle == "separate"
    by_code = {item.code: item for item in documents.requirements}
    assert set(by_code) == {
        "cv",
        "lettre-motivation",
        "piece-identite",
        "photo",
        "diplome",
        "releves-notes-m1-m2",
        "delf-b2",
        "titre-sejour",
        "dossier-vapp",
        "accord-financement",
        "projet-professionnel",
        "documents-complementaires",
        "attestation-cvec",
    }
    assert by_code["photo"].formats == [DocumentFormat.JPEG]
    # The cover letter is a PDF only; the professional project is typed in the form.
    assert not by_code["lettre-motivation"].typed
    assert by_code["projet-professionnel"].typed
    # "Hors documents optionnels complémentaires": optional pieces never block a file.
    assert by_code["documents-complementaires"].optional
    cvec = by_code["attestation-cvec"]
    assert (cvec.condition, cvec.due) == (DocumentCondition.CVEC_DUE, FeeDue.REGISTRATION)
    assert cvec.number_label is not None
    others = [item for code, item in by_code.items() if code != "photo" and not item.typed]
    assert all(item.formats == [DocumentFormat.PDF] for item in others)
    assert by_code["cv"].content_language == "fr"
    assert by_code["delf-b2"].condition == DocumentCondition.FRENCH_CERTIFICATE_NEEDED
    assert by_code["titre-sejour"].condition == DocumentCondition.RESIDENCE_PERMIT_CONCERNED
    assert by_code["titre-sejour"].needs_validity_date
    assert by_code["piece-identite"].needs_validity_date
    assert by_code["dossier-vapp"].condition == DocumentCondition.VAPP_REQUIRED
    agreement = by_code["accord-financement"]
    assert (agreement.condition, agreement.provided_by) == (
        DocumentCondition.COMPANY_FUNDED,
        "staff",
    )
    assert by_code["diplome"].translatable
    assert by_code["releves-notes-m1-m2"].translatable
    always = {
        code
        for code, item in by_code.items()
        if item.condition == DocumentCondition.ALWAYS and not item.optional and not item.typed
    }
    assert always == {
        "cv",
        "lettre-motivation",
        "piece-identite",
        "photo",
        "diplome",
        "releves-notes-m1-m2",
    }
    assert bs.language is not None
    assert bs.language.required_level == "B2"
    assert "DELF" in bs.language.accepted_certificates


def test_bs_review_interview_jury(bs: Rulebook) -> None:
    assert bs.review.positive.fr == "Candidature admissible"
    assert bs.review.negative.fr == "Candidature non admissible"
    assert bs.review.negative_ends_application
    assert [c.label.fr for c in bs.review.criteria] == [
        "Cohérence parcours ↔ projet ↔ programme",
        "Qualité du dossier",
        "Niveau d'expression écrite",
    ]
    interview = bs.interview
    assert interview.mandatory
    assert interview.modes == [InterviewMode.VIDEO]
    assert interview.duration_minutes == 30
    assert [c.label.fr for c in interview.criteria] == [
        "Motivation et cohérence du discours",
        "Clarté du projet professionnel",
        "Expression orale",
        "Maturité professionnelle",
        "Capacité à se projeter dans le rythme du MS en alternance",
    ]
    assert [c.label.fr for c in bs.jury.criteria] == [
        "Le résultat de l'entretien",
        "Les éléments du dossier de candidature",
        "Le parcours académique et professionnel",
        "L'adéquation avec les attendus du programme",
        "Le potentiel de réussite",
    ]
    assert bs.jury.decisions == [JuryDecision.ADMITTED, JuryDecision.NOT_ADMITTED]
    assert bs.jury.wording is not None
    assert "irrévocable" in bs.jury.wording.fr
    assert bs.jury.rolling
    assert bs.jury_sessions == []


def test_bs_international_restriction(bs: Rulebook) -> None:
    (restriction,) = bs.international.restrictions
    assert restriction.tracks == [Track.WORK_STUDY]
    assert restriction.restricted == RestrictedGroup.NON_EU_NATIONALS
    assert "primo-entrants hors Union européenne" in restriction.wording.fr
    exceptions = {item.kind: item for item in restriction.exceptions}
    assert set(exceptions) == {ExceptionKind.EU_NATIONAL, ExceptionKind.RESIDENT_WITH_PERMIT}
    resident = exceptions[ExceptionKind.RESIDENT_WITH_PERMIT]
    assert resident.min_years_in_france == Decimal(1)
    assert resident.permit_kinds == [PermitKind.STUDENT]
    assert resident.permit_must_be_valid
    assert not bs.international.campus_france_for_non_eu


def test_bs_five_steps_and_durations(bs: Rulebook) -> None:
    assert [step.step for step in bs.steps] == [
        Step.APPLY,
        Step.REVIEW,
        Step.INTERVIEW,
        Step.JURY,
        Step.CONFIRM,
    ]
    assert bs.steps[0].expected_duration is not None
    assert bs.steps[0].expected_duration.fr == "20–40 min"
    assert not any(step.optional for step in bs.steps)
    assert bs.campaign.typical_duration is not None
    assert bs.campaign.typical_duration.fr == "3 à 4 semaines en moyenne"
    assert bs.confirmation.window_days == 15


def test_bs_common_mistakes(bs: Rulebook) -> None:
    assert len(bs.common_mistakes) == 7
    assert bs.common_mistakes[1].fr == "Lettre de motivation générique"


def test_bs_loads_without_warnings(bs_loaded: LoadedRulebook) -> None:
    assert bs_loaded.warnings == []


# IMT Nord Europe ------------------------------------------------------------------------


def test_nord_institution_and_sites(nord: Rulebook) -> None:
    assert nord.institution.contact_email == "masteres.specialises@imt-nord-europe.fr"
    assert nord.institution.website == "https://www.imt-nord-europe.fr"
    lille, douai = nord.site("lille"), nord.site("douai")
    assert "Rue Guglielmo Marconi" in lille.address
    assert "59653 Villeneuve d'Ascq Cedex" in lille.address
    assert lille.phone == "03 20 33 55 77"
    assert "764 Boulevard Lahure" in douai.address
    assert douai.phone == "03 27 71 20 30"
    assert lille.housing is None
    assert douai.housing is not None
    assert (douai.housing.monthly_min, douai.housing.monthly_max) == (
        Decimal("335.00"),
        Decimal("450.00"),
    )


def test_nord_only_cybersecurity_in_lille(nord: Rulebook) -> None:
    sites = {programme.slug: programme.site for programme in nord.programmes}
    assert [slug for slug, site in sites.items() if site == "lille"] == ["ms-cybersecurite"]
    assert all(site == "douai" for slug, site in sites.items() if slug != "ms-cybersecurite")
    for programme in nord.programmes:
        assert (programme.duration_months, programme.internship_months) == (12, 6)


def test_nord_routes(nord: Rulebook) -> None:
    routes = {route.code: route for route in nord.entry_routes}
    standard = [route for route in nord.entry_routes if route.kind == RouteKind.STANDARD]
    assert len(standard) == 5
    assert routes["ingenieur-cti"].requires.diploma_kinds == [DiplomaKind.CTI_ENGINEERING]
    assert routes["master-m2"].requires.diploma_kinds == [DiplomaKind.MASTER_M2]
    assert routes["rncp-niveau-7"].requires.diploma_kinds == [DiplomaKind.RNCP_LEVEL_7]
    m1 = routes["m1-trois-ans-experience"].requires
    assert (m1.min_level, m1.min_experience_years) == (4, Decimal(3))
    foreign = routes["diplome-etranger-bac5"].requires
    assert (foreign.min_level, foreign.diploma_origin) == (5, DiplomaOrigin.FOREIGN)
    bac4 = routes["derogatoire-bac4"]
    bac3 = routes["derogatoire-bac3-experience"]
    assert bac4.kind == bac3.kind == RouteKind.DEROGATORY
    assert (bac4.requires.min_level, bac4.requires.min_experience_years) == (4, Decimal(0))
    assert (bac3.requires.min_level, bac3.requires.min_experience_years) == (3, Decimal(3))
    assert bac4.implies.vapp_file
    assert bac3.implies.vapp_file
    assert not any(route.implies.vapp_file for route in standard)
    # Still studying: may apply, admitted on condition of the diploma.
    for route in nord.entry_routes:
        assert route.requires.in_progress_allowed
        assert route.implies.conditional_admission_if_in_progress
        assert route.programmes == []


def test_nord_application_fee_by_transfer_to_the_treasury(nord: Rulebook) -> None:
    assert nord.fees.application.amount == Decimal("60.00")
    assert nord.fees.application.methods == [PaymentMethod.BANK_TRANSFER]
    account = nord.bank_account
    assert account is not None
    assert account.iban == "FR7610071590000000102433444"
    assert account.bic == "TRPUFRP1"
    assert account.holder == "IMT NORD EUROPE – AGENCE COMPTABLE"
    assert account.holder_address == "941 rue Charles Bourseul, BP838, 59508 Douai cedex, France"
    assert account.bank_name == "TRESOR PUBLIC LILLE"
    assert account.bank_address == "82 Av. Du Président John F. Kennedy, 59800 LILLE, FRANCE"
    assert account.phone == "+33 3 27 71 22 22"


def test_nord_refunds_wording(nord: Rulebook) -> None:
    (fee,) = nord.refund_rules(ChargeKind.APPLICATION_FEE)
    assert (
        "quel que soit le motif (renonciation, démission, avis défavorable du jury etc.)"
        in fee.wording.fr
    )
    assert "restent acquis par IMT Nord Europe" in fee.wording.fr
    (visa,) = nord.refund_rules(ChargeKind.TUITION_FIRST_INSTALMENT)
    assert (visa.event, visa.allowed) == (RefundEvent.VISA_REFUSED, True)
    assert "refus de visa" in visa.wording.fr
    assert nord.fees.deposit is None


def test_nord_tuition_cvec_and_payment_plan(nord: Rulebook) -> None:
    assert nord.fees.tuition is not None
    assert (nord.fees.tuition.personal, nord.fees.tuition.company) == (
        Decimal("7500.00"),
        Decimal("12500.00"),
    )
    cyber = nord.tuition_for("ms-cybersecurite")
    assert (cyber.personal, cyber.company) == (Decimal("9000.00"), Decimal("14000.00"))
    for programme in nord.programmes:
        if programme.slug != "ms-cybersecurite":
            assert nord.tuition_for(programme.slug) == nord.fees.tuition
    assert nord.fees.tuition_note is not None
    assert "net de taxes" in nord.fees.tuition_note.fr
    cvec = nord.fees.cvec
    assert cvec is not None
    assert (cvec.amount, cvec.reference_year, cvec.payable_by) == (
        Decimal("100.00"),
        "2023-2024",
        "not_company_funded",
    )
    plan = nord.payment_plan
    assert plan is not None
    assert (plan.instalments, plan.first_due) == (3, FeeDue.REGISTRATION)
    assert plan.methods == [PaymentMethod.BANK_TRANSFER, PaymentMethod.SEPA_DIRECT_DEBIT]


def test_nord_financing_modes(nord: Rulebook) -> None:
    categories = {mode.code: mode.category for mode in nord.financing_modes}
    assert categories == {
        "personnel": FinancingCategory.PERSONAL,
        "demandeur-emploi": FinancingCategory.PERSONAL,
        "plan-formation-entreprise": FinancingCategory.COMPANY,
        "transition-pro": FinancingCategory.COMPANY,
        "region-hauts-de-france": FinancingCategory.PERSONAL,
    }
    region = nord.financing_mode("region-hauts-de-france")
    assert region.request_weeks_before_start == 3
    assert region.region_funded
    assert [mode.code for mode in nord.financing_modes if mode.region_funded] == [
        "region-hauts-de-france"
    ]
    assert region.conditions is not None
    assert "Pôle Emploi" in region.conditions.fr
    assert "Se former dans l'Enseignement Supérieur" in region.label.fr


def test_nord_documents(nord: Rulebook) -> None:
    documents = nord.documents
    assert documents.bundle == "single_zip"
    assert documents.translation == TranslationPolicy.FRENCH_OR_ENGLISH
    by_code = {item.code: item for item in documents.requirements}
    assert by_code["dossier-vapp"].condition == DocumentCondition.VAPP_REQUIRED
    assert by_code["diplome"].condition == DocumentCondition.DIPLOMA_OBTAINED
    quote = by_code["devis-region"]
    assert (quote.condition, quote.provided_by) == (DocumentCondition.REGION_FUNDED, "staff")
    # Proof of experience only from those who declare some or whose route rests on it.
    experience = by_code["justificatifs-experience"]
    assert experience.condition == DocumentCondition.EXPERIENCE_DECLARED
    # The application form is the school's own, downloaded to be filled in.
    assert by_code["dossier-candidature"].form_url.startswith("https://")
    assert not by_code["lettre-motivation"].typed
    assert by_code["projet-professionnel"].typed
    cvec = by_code["attestation-cvec"]
    # Sent with the administrative registration, which confirms the place within 15 days.
    assert (cvec.condition, cvec.due) == (DocumentCondition.CVEC_DUE, FeeDue.CONFIRMATION)
    # The notice does not list the pieces: the list is to be confirmed by the school.
    assert "documents.requirements" in {item.key for item in nord.to_confirm}
    assert nord.language is None


def test_nord_campaign_dates(nord: Rulebook) -> None:
    campaign = nord.campaign
    assert campaign.opens_on == dt.date(2023, 9, 15)
    assert campaign.closes_on.date == dt.date(2024, 6, 7)
    assert campaign.closes_on.also_stated == [dt.date(2024, 6, 6)]
    deadline = campaign.international_deadline
    assert deadline is not None
    assert deadline.date == dt.date(2024, 3, 17)
    assert deadline.also_stated == [dt.date(2024, 3, 16)]
    assert deadline.note is not None
    assert "jury de mars" in deadline.note.fr
    assert nord.international.deadline_applies_to == RestrictedGroup.CANDIDATES_ABROAD


def test_nord_jury_sessions_and_decisions(nord: Rulebook) -> None:
    assert [session.month for session in nord.jury_sessions] == [
        "2024-03",
        "2024-04",
        "2024-05",
        "2024-06",
    ]
    assert all(session.date is None for session in nord.jury_sessions)
    assert not nord.jury.rolling
    assert JuryDecision.ADMITTED_CONDITIONALLY in nord.jury.decisions
    assert nord.jury.wording is not None
    assert "recours" in nord.jury.wording.fr


def test_nord_review_and_interview(nord: Rulebook) -> None:
    assert nord.review.positive.fr == "Avis favorable"
    assert nord.review.negative.fr == "Avis défavorable"
    assert not nord.review.negative_ends_application
    interview = nord.interview
    assert not interview.mandatory
    assert set(interview.modes) == {InterviewMode.PHONE, InterviewMode.VIDEO}
    assert "adéquation de votre projet professionnel" in interview.purpose.fr


def test_nord_confirmation_window(nord: Rulebook) -> None:
    confirmation = nord.confirmation
    assert confirmation.window_days == 15
    # The CVEC is paid to the CROUS: its attestation is asked at registration instead.
    assert confirmation.charges == [ChargeKind.TUITION_FIRST_INSTALMENT]
    assert nord.fees.cvec is not None
    assert nord.fees.cvec.collected_by == "crous"
    assert "n'est plus garantie" in confirmation.wording.fr


def test_nord_international(nord: Rulebook) -> None:
    assert nord.international.campus_france_for_non_eu
    assert nord.international.restrictions == []
    assert nord.international.notes is not None
    assert "Études en France" in nord.international.notes.fr


def test_nord_steps(nord: Rulebook) -> None:
    assert [(step.step, step.optional) for step in nord.steps] == [
        (Step.APPLY, False),
        (Step.FEE, False),
        (Step.REVIEW, False),
        (Step.INTERVIEW, True),
        (Step.JURY, False),
        (Step.CONFIRM, False),
    ]


def test_nord_warns_about_its_ambiguities(nord_loaded: LoadedRulebook) -> None:
    assert nord_loaded.warnings == [
        "campaign.closes_on: the source documents also state 2024-06-06 for this deadline; "
        "2024-06-07 is the one applied",
        "campaign.international_deadline: the source documents also state 2024-03-16 for "
        "this deadline; 2024-03-17 is the one applied",
        "fees.cvec.reference_year: the CVEC amount is the 2023-2024 one, older than the year "
        "taught (2024-2025); it is set every year, check it for this campaign",
        *(
            f"jury_sessions[{index}].date: only the month 2024-0{month} is known; set the "
            "date once the jury is scheduled"
            for index, month in enumerate(range(3, 7))
        ),
    ]
