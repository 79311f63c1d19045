"""The pre-submission check: each of the seeds' frequent mistakes is caught with its fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import translation

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.people.profile import CandidateProfile
from admissions.rules.deadlines import PARIS
from admissions.workflow.checks import Code, Fix, run_checks
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    CandidateProfileFactory,
    DocumentFactory,
    EducationFactory,
    accept_all_documents,
    draft,
    load_preset,
    pay_fee,
    programme_of,
    ready_application,
    type_the_letter,
)


def codes(application: Application) -> list[str]:
    return run_checks(application).codes()


def test_a_complete_paid_file_is_ready(nord: Campaign, candidate: User) -> None:
    report = run_checks(ready_application(candidate, nord))
    assert report.problems == []
    assert report.ready
    assert report.checklist
    assert all(line.satisfied for line in report.checklist if line.provided_by == "candidate")


def test_a_fresh_draft_lists_every_problem_with_its_fix(nord: Campaign, candidate: User) -> None:
    report = run_checks(draft(candidate, nord))
    assert not report.ready
    found = {problem.code: problem.fix for problem in report.problems}
    assert found == {
        Code.MISSING_DOCUMENT: Fix.DOCUMENTS,
        Code.TEXT_TOO_SHORT: Fix.TEXTS,
        Code.FEE_UNPAID: Fix.FEE,
    }


def test_missing_documents_one_problem_per_item(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    missing = [p for p in run_checks(application).problems if p.code == Code.MISSING_DOCUMENT]
    required = [line.code for line in run_checks(application).checklist if line.required]
    assert [p.item for p in missing] == required
    DocumentFactory(application=application, requirement_code=required[0])
    DocumentFactory(
        application=application, requirement_code=required[1], state="rejected_by_staff"
    )
    still = [p.item for p in run_checks(application).problems if p.code == Code.MISSING_DOCUMENT]
    assert still == required[1:]
    accept_all_documents(application)
    assert Code.MISSING_DOCUMENT not in codes(application)


@pytest.fixture
def typed_letters(db: None, clock: Any) -> Campaign:
    return load_preset("imt-nord-europe", edit=type_the_letter)


def test_a_letter_sent_as_a_file_is_not_asked_as_a_text(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord, professional_project=PROFESSIONAL_PROJECT)
    report = run_checks(application)
    assert not [p for p in report.problems if p.field == "cover_letter"]
    assert "lettre-motivation" in [line.code for line in report.checklist]


def test_short_texts_are_caught_with_the_default_minimum(
    typed_letters: Campaign, candidate: User
) -> None:
    application = draft(
        candidate,
        typed_letters,
        cover_letter="Je suis motivée.",
        professional_project=PROFESSIONAL_PROJECT,
    )
    short = [p for p in run_checks(application).problems if p.code == Code.TEXT_TOO_SHORT]
    assert [(p.field, p.fix) for p in short] == [("cover_letter", Fix.TEXTS)]
    assert "16" in short[0].message
    assert "600" in short[0].message


def test_the_rulebook_sets_the_minimum_length(db: None, clock: Any, candidate: User) -> None:
    def demand_long_letters(raw: dict[str, Any]) -> None:
        type_the_letter(raw)
        for requirement in raw["documents"]["requirements"]:
            if requirement["code"] == "lettre-motivation":
                requirement["min_text_length"] = 1500

    campaign = load_preset("imt-nord-europe", edit=demand_long_letters)
    application = draft(
        candidate, campaign, cover_letter=COVER_LETTER, professional_project=PROFESSIONAL_PROJECT
    )
    short = [p for p in run_checks(application).problems if p.code == Code.TEXT_TOO_SHORT]
    assert [p.field for p in short] == ["cover_letter"]
    assert "1500" in short[0].message


def test_the_same_letter_for_two_programmes_is_generic(
    typed_letters: Campaign, candidate: User
) -> None:
    nord = typed_letters
    first, second = list(nord.institution.programmes.order_by("pk"))[:2]
    earlier = draft(
        candidate, nord, first, cover_letter=COVER_LETTER, professional_project=PROFESSIONAL_PROJECT
    )
    # Punctuation, case and one word changed: still the same letter.
    copied = COVER_LETTER.replace("Ce Mastère", "ce mastère").replace(",", " ;") + " Merci."
    later = draft(
        candidate,
        nord,
        second,
        cover_letter=copied,
        professional_project="Un tout autre projet, " + PROFESSIONAL_PROJECT[::-1],
    )
    duplicated = [p for p in run_checks(later).problems if p.code == Code.TEXT_DUPLICATED]
    assert [p.field for p in duplicated] == ["cover_letter"]
    assert earlier.reference in duplicated[0].message
    # It is the copy that is flagged on both files: each sees the other.
    assert Code.TEXT_DUPLICATED in codes(earlier)


def test_a_different_letter_is_not_flagged(typed_letters: Campaign, candidate: User) -> None:
    nord = typed_letters
    first, second = list(nord.institution.programmes.order_by("pk"))[:2]
    draft(candidate, nord, first, cover_letter=COVER_LETTER)
    other = (
        "Ingénieur réseau depuis quatre ans, je veux me spécialiser en cybersécurité pour "
        "protéger les systèmes industriels que j'ai appris à construire. "
    ) * 6
    later = draft(candidate, nord, second, cover_letter=other)
    assert Code.TEXT_DUPLICATED not in codes(later)


def test_a_passed_deadline_is_caught(
    nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    application = ready_application(candidate, nord)
    clock.move_to(dt.datetime(2024, 6, 8, 0, 0, tzinfo=PARIS))
    report = run_checks(application)
    assert report.codes() == [Code.DEADLINE_PASSED]
    assert report.first(Code.DEADLINE_PASSED).fix == Fix.NONE  # type: ignore[union-attr]


def test_an_ineligible_candidate_is_told_why(nord: Campaign) -> None:
    profile = CandidateProfileFactory()
    EducationFactory(profile=profile, level=3, diploma_kind="licence", title="Licence")
    application = draft(profile.user, nord)
    problems = [p for p in run_checks(application).problems if p.code == Code.NOT_ELIGIBLE]
    assert len(problems) == 1
    assert problems[0].fix == Fix.PROFILE
    with translation.override("en"):
        message = run_checks(application).first(Code.NOT_ELIGIBLE).message  # type: ignore[union-attr]
    assert "Bac+3" in message


def test_an_incomplete_profile_is_caught(nord: Campaign) -> None:
    profile = CandidateProfileFactory(nationality="", residence_country="")
    application = draft(profile.user, nord)
    report = run_checks(application)
    assert Code.PROFILE_INCOMPLETE in report.codes()
    assert report.first(Code.PROFILE_INCOMPLETE).fix == Fix.PROFILE  # type: ignore[union-attr]
    # The documents everyone gives are still listed.
    assert [line.code for line in report.checklist]


def test_an_expired_residence_permit_is_caught(nord: Campaign) -> None:
    profile = CandidateProfileFactory(
        nationality="SN",
        residence_country="FR",
        permit_kind="student",
        permit_valid_until=dt.date(2024, 2, 11),  # the day before the clock
        in_france_since=dt.date(2021, 9, 1),
    )
    EducationFactory(profile=profile)
    application = ready_application(profile.user, nord)
    problems = [p for p in run_checks(application).problems if p.code == Code.DOCUMENT_EXPIRED]
    assert [(p.fix, p.field) for p in problems] == [(Fix.PROFILE, "permit_valid_until")]
    CandidateProfile.objects.filter(pk=profile.pk).update(permit_valid_until=dt.date(2024, 2, 12))
    assert Code.DOCUMENT_EXPIRED not in codes(application)


def test_an_expired_identity_document_is_caught(nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    document = application.documents.get(requirement_code="piece-identite")
    document.valid_until = dt.date(2024, 1, 31)
    document.save()
    problems = [p for p in run_checks(application).problems if p.code == Code.DOCUMENT_EXPIRED]
    assert [(p.fix, p.item) for p in problems] == [(Fix.DOCUMENTS, "piece-identite")]


def test_an_unpaid_fee_is_caught(nord: Campaign, candidate: User) -> None:
    application = draft(
        candidate, nord, cover_letter=COVER_LETTER, professional_project=PROFESSIONAL_PROJECT
    )
    accept_all_documents(application)
    assert codes(application) == [Code.FEE_UNPAID]
    pay_fee(application)
    assert codes(application) == []


def test_messages_follow_the_reader_language(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    with translation.override("en"):
        english = run_checks(application).first(Code.FEE_UNPAID).message  # type: ignore[union-attr]
    assert english.startswith("The application fee is not paid yet.")
    with translation.override("fr"):
        french = run_checks(application).first(Code.TEXT_TOO_SHORT).message  # type: ignore[union-attr]
    assert french.startswith("Votre projet professionnel est trop court (0 caractères")


def test_a_checklist_follows_the_profile(bs: Campaign) -> None:
    # A non-EU national living in France: residence permit and French certificate asked.
    profile = CandidateProfileFactory(
        nationality="SN",
        residence_country="FR",
        permit_kind="student",
        permit_valid_until=dt.date(2025, 9, 30),
        in_france_since=dt.date(2021, 9, 1),
    )
    EducationFactory(profile=profile, country="SN", diploma_kind="foreign", title="Master")
    application = draft(
        profile.user, bs, programme_of(bs, "ms-achats-supply-chain"), financing_mode="personnel"
    )
    items = [line.code for line in run_checks(application).checklist]
    assert "titre-sejour" in items
    assert "delf-b2" in items
