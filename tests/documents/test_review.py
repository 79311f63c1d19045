"""Staff accept or reject each document of a sent file, with a reason for the candidate."""

from __future__ import annotations

import pytest

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.documents import review, services
from admissions.documents.errors import (
    DocumentLockedError,
    InvalidDocumentInputError,
    NotYourDocumentError,
)
from admissions.documents.lifecycle import DocumentState
from admissions.documents.status import missing_requirements
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload


@pytest.fixture
def sent_cv(upload: Upload, application: Application) -> services.UploadResult:
    result = upload("cv", corpus.pdf())
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    return result


def test_an_officer_accepts(sent_cv: services.UploadResult, officer: User) -> None:
    document = review.accept_document(sent_cv.document, by=officer)
    assert document.state == DocumentState.ACCEPTED_BY_STAFF
    event = ApplicationEvent.objects.get(action="document.accepted_by_staff")
    assert event.actor == officer
    assert (event.details["from"], event.details["to"]) == (
        "accepted_on_arrival",
        "accepted_by_staff",
    )
    # Accepting twice records once.
    review.accept_document(document, by=officer)
    assert ApplicationEvent.objects.filter(action="document.accepted_by_staff").count() == 1


def test_an_officer_rejects_with_a_reason(
    sent_cv: services.UploadResult, officer: User, application: Application
) -> None:
    document = review.reject_document(
        sent_cv.document, by=officer, reason="  Le CV n'est pas à jour.  "
    )
    assert document.state == DocumentState.REJECTED_BY_STAFF
    assert document.staff_reason == "Le CV n'est pas à jour."
    assert "cv" in missing_requirements(application)
    event = ApplicationEvent.objects.get(action="document.rejected_by_staff")
    assert event.details["reason"] == "Le CV n'est pas à jour."


def test_a_rejection_needs_a_reason(sent_cv: services.UploadResult, officer: User) -> None:
    with pytest.raises(InvalidDocumentInputError):
        review.reject_document(sent_cv.document, by=officer, reason="   ")


def test_the_replacement_clears_the_rejection(
    sent_cv: services.UploadResult, officer: User, application: Application, upload: Upload
) -> None:
    review.reject_document(sent_cv.document, by=officer, reason="Illisible")
    Application.objects.filter(pk=application.pk).update(status=Status.INCOMPLETE)
    result = upload("cv", corpus.pdf(pages=2))
    assert result.document.state == DocumentState.ACCEPTED_ON_ARRIVAL
    assert result.document.staff_reason == ""


def test_staff_can_change_their_mind(sent_cv: services.UploadResult, officer: User) -> None:
    review.reject_document(sent_cv.document, by=officer, reason="Illisible")
    assert review.accept_document(sent_cv.document, by=officer).state == (
        DocumentState.ACCEPTED_BY_STAFF
    )


def test_only_officers_of_the_programme_review(
    sent_cv: services.UploadResult, foreign_officer: User, interviewer: User, candidate: User
) -> None:
    for person in (foreign_officer, interviewer, candidate):
        with pytest.raises(NotYourDocumentError):
            review.accept_document(sent_cv.document, by=person)


def test_a_draft_is_not_reviewed(upload: Upload, officer: User) -> None:
    result = upload("cv", corpus.pdf())
    with pytest.raises(DocumentLockedError):
        review.accept_document(result.document, by=officer)


def test_a_missing_document_cannot_be_accepted(
    upload: Upload, application: Application, officer: User
) -> None:
    from admissions.core.errors import IllegalTransition

    refused = upload("cv", corpus.docx(), "cv.pdf")
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    with pytest.raises(IllegalTransition):
        review.accept_document(refused.document, by=officer)
