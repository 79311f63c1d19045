"""Pieces asked at their stage: optional ones never block, proof of experience only when
there is some, the CVEC attestation and its number once admitted."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents import services
from admissions.documents.errors import DocumentLockedError, InvalidDocumentInputError
from admissions.documents.models import Document
from admissions.people.models import Role, User
from admissions.workflow.checks import Code, run_checks
from admissions.workflow.status import status_summary
from admissions.workflow.submission import submit
from tests.documents import corpus
from tests.factories import programme_of, ready_application, staff_member


def send(application: Application, code: str, by: User, **extra: object) -> None:
    application.refresh_from_db()
    services.upload_document(
        application=application,
        requirement_code=code,
        stream=io.BytesIO(corpus.pdf()),
        filename=f"{code}.pdf",
        by=by,
        **extra,  # type: ignore[arg-type]
    )


def test_optional_documents_never_hold_back_a_submission(bs: Campaign, candidate: User) -> None:
    application = ready_application(
        candidate, bs, programme_of(bs, "ms-achats-supply-chain"), financing_mode="personnel"
    )
    Document.objects.filter(
        application=application, requirement_code="documents-complementaires"
    ).delete()
    report = run_checks(application)
    optional = next(line for line in report.checklist if line.code == "documents-complementaires")
    assert (optional.optional, optional.required, optional.satisfied) == (True, False, False)
    assert report.ready, report.problems
    assert submit(application, by=candidate).status == Status.SUBMITTED


def test_a_fresh_graduate_submits_without_proof_of_experience(
    nord: Campaign, candidate: User
) -> None:
    application = ready_application(candidate, nord)
    assert "justificatifs-experience" not in [
        line.code for line in run_checks(application).checklist
    ]
    assert Code.MISSING_DOCUMENT not in run_checks(application).codes()
    assert submit(application, by=candidate).status == Status.SUBMITTED


@pytest.fixture
def admitted(nord: Campaign, candidate: User) -> Application:
    application = submit(ready_application(candidate, nord), by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for action in ("mark_complete", "record_admissible", "place_on_agenda", "publish_admitted"):
        transition(application, action=action, by=officer)
    return application


def test_the_cvec_attestation_is_not_asked_before_admission(
    nord: Campaign, candidate: User
) -> None:
    application = ready_application(candidate, nord)
    assert "attestation-cvec" not in [line.code for line in run_checks(application).checklist]
    submit(application, by=candidate)
    with pytest.raises(DocumentLockedError):
        send(application, "attestation-cvec", candidate, number="ABCD 123456 78")


def test_once_admitted_the_candidate_gives_the_cvec_attestation_and_its_number(
    admitted: Application, candidate: User
) -> None:
    summary = status_summary(admitted)
    assert [(item.code, item.satisfied) for item in summary.registration] == [
        ("attestation-cvec", False)
    ]
    with pytest.raises(InvalidDocumentInputError):
        send(admitted, "attestation-cvec", candidate, number="")
    send(admitted, "attestation-cvec", candidate, number="  ABCD 123456   78 ")
    document = Document.objects.get(application=admitted, requirement_code="attestation-cvec")
    assert document.number == "ABCD 123456 78"
    assert [item.satisfied for item in status_summary(admitted).registration] == [True]
    # Other pieces stay locked.
    with pytest.raises(DocumentLockedError):
        send(admitted, "cv", candidate)


def test_the_status_and_documents_pages_ask_for_the_attestation(
    admitted: Application, candidate: User
) -> None:
    client = Client()
    client.force_login(candidate)
    with translation.override("en"):
        status_url = reverse("portal:application_status", args=[admitted.reference])
        documents_url = reverse("documents:list", args=[admitted.reference])
    page = client.get(status_url).content.decode()
    section = page[page.index('id="registration"') :]
    assert "CVEC payment certificate" in section
    assert f"{documents_url}#doc-attestation-cvec" in section
    documents = client.get(documents_url).content.decode()
    card = documents[documents.index('id="doc-attestation-cvec"') :]
    assert "CVEC certificate number" in card[: card.index("</li>")]
