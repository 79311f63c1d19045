"""A document refused or asked for after submission: the candidate sees it, sends only it, and
the file goes back to the admissions office's list."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents import review, services
from admissions.documents.errors import DocumentLockedError
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.people.models import Role, User
from admissions.workflow.status import status_summary
from admissions.workflow.submission import submit
from tests.documents import corpus
from tests.factories import ready_application, staff_member

REASON = "Le CV date de 2019 : envoyez une version à jour."


@pytest.fixture
def officer(nord: Campaign) -> User:
    return staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)


@pytest.fixture
def submitted(nord: Campaign, candidate: User) -> Application:
    application = ready_application(candidate, nord)
    return submit(application, by=candidate)


def send(application: Application, code: str, by: User) -> services.UploadResult:
    application.refresh_from_db()  # as a page reads it: the file has moved since
    return services.upload_document(
        application=application,
        requirement_code=code,
        stream=io.BytesIO(corpus.pdf()),
        filename=f"{code}.pdf",
        by=by,
    )


def document(application: Application, code: str) -> Document:
    return Document.objects.get(application=application, requirement_code=code)


def english(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_a_rejected_document_sends_the_file_back_to_the_candidate(
    submitted: Application, officer: User
) -> None:
    review.reject_document(document(submitted, "cv"), by=officer, reason=REASON)
    submitted.refresh_from_db()
    assert submitted.status == Status.INCOMPLETE
    event = submitted.events.get(action="application.request_documents")
    assert (event.actor, event.details["requirement"]) == (officer, "cv")


def test_the_status_page_names_the_piece_and_why_as_the_next_action(
    submitted: Application, officer: User, candidate: User
) -> None:
    review.reject_document(document(submitted, "cv"), by=officer, reason=REASON)
    submitted.refresh_from_db()
    summary = status_summary(submitted)
    assert [(item.code, item.reason) for item in summary.asked] == [("cv", REASON)]
    client = Client()
    client.force_login(candidate)
    page = client.get(english("portal:application_status", submitted.reference)).content.decode()
    next_action = page[page.index('id="next-title"') : page.index('id="steps-title"')]
    assert "The admissions office asks for the documents below" in next_action
    assert "Curriculum vitae" in next_action
    assert "Le CV date de 2019" in next_action
    assert english("documents:list", submitted.reference) + "#doc-cv" in next_action
    history = page[page.index('id="history-title"') :]
    assert "Document to replace: Curriculum vitae" in history
    assert "Documents to replace were requested" in history


def test_only_the_piece_asked_for_can_be_replaced_and_the_file_returns_to_the_office(
    submitted: Application, officer: User, candidate: User
) -> None:
    review.reject_document(document(submitted, "cv"), by=officer, reason=REASON)
    with pytest.raises(DocumentLockedError):
        send(submitted, "releves-notes", candidate)
    result = send(submitted, "cv", candidate)
    assert result.accepted
    assert result.version is not None
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    resubmitted = submitted.events.get(action="application.resubmit")
    assert resubmitted.actor == candidate
    cv = document(submitted, "cv")
    assert (cv.state, cv.staff_reason) == (DocumentState.ACCEPTED_ON_ARRIVAL, "")
    assert status_summary(submitted).asked == ()
    # The officer's list shows the file waiting again.
    client = Client()
    client.force_login(officer)
    row = client.get("/en/office/").content.decode().split(submitted.reference, 1)[1]
    assert row.split("</tr>", 1)[0].count("Submitted") == 1


def test_the_file_waits_for_every_piece_asked_for(
    submitted: Application, officer: User, candidate: User
) -> None:
    review.reject_document(document(submitted, "cv"), by=officer, reason=REASON)
    review.reject_document(document(submitted, "releves-notes"), by=officer, reason="Illisible.")
    send(submitted, "cv", candidate)
    submitted.refresh_from_db()
    assert submitted.status == Status.INCOMPLETE
    assert [item.code for item in status_summary(submitted).asked] == ["releves-notes"]
    send(submitted, "releves-notes", candidate)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_an_officer_who_accepts_after_all_sends_the_file_back_to_the_list(
    submitted: Application, officer: User
) -> None:
    cv = review.reject_document(document(submitted, "cv"), by=officer, reason=REASON)
    review.accept_document(cv, by=officer)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_piece_asked_for_later_is_sent_the_same_way(
    submitted: Application, officer: User, candidate: User
) -> None:
    # The candidate declared no experience: the proof was not on their checklist.
    assert not Document.objects.filter(
        application=submitted, requirement_code="justificatifs-experience"
    ).exists()
    asked = review.request_document(
        submitted,
        "justificatifs-experience",
        by=officer,
        reason="Votre CV cite un stage de six mois : joignez l'attestation.",
    )
    assert asked.state == DocumentState.REQUESTED_BY_STAFF
    submitted.refresh_from_db()
    assert submitted.status == Status.INCOMPLETE
    summary = status_summary(submitted)
    assert [item.code for item in summary.asked] == ["justificatifs-experience"]
    assert "stage de six mois" in summary.asked[0].reason
    client = Client()
    client.force_login(candidate)
    documents_page = client.get(english("documents:list", submitted.reference)).content.decode()
    assert 'id="doc-justificatifs-experience"' in documents_page
    assert "stage de six mois" in documents_page
    send(submitted, "justificatifs-experience", candidate)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_officers_ask_from_the_documents_page(submitted: Application, officer: User) -> None:
    client = Client()
    client.force_login(officer)
    page = client.get(english("documents:list", submitted.reference)).content.decode()
    assert 'id="ask"' in page
    response = client.post(
        english("documents:ask", submitted.reference),
        {"requirement": "justificatifs-experience", "reason": "Attestation de stage, svp."},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.INCOMPLETE
    # A piece the file holds a file for is rejected, not asked for.
    response = client.post(
        english("documents:ask", submitted.reference),
        {"requirement": "cv", "reason": "Encore ?"},
    )
    assert document(submitted, "cv").state == DocumentState.ACCEPTED_ON_ARRIVAL


def test_a_candidate_may_not_ask_for_documents(submitted: Application, candidate: User) -> None:
    client = Client()
    client.force_login(candidate)
    response = client.post(
        english("documents:ask", submitted.reference),
        {"requirement": "justificatifs-experience", "reason": "Moi-même"},
    )
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
