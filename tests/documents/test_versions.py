"""Replacing a document keeps its versions; a refused replacement hides nothing."""

from __future__ import annotations

import pytest

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.documents.errors import DocumentLockedError, NotYourDocumentError
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document, DocumentVersion, ScanStatus
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload


def test_a_replacement_becomes_current_and_the_first_stays(upload: Upload) -> None:
    first = upload("cv", corpus.pdf(text="first"), "cv-2023.pdf")
    second = upload("cv", corpus.pdf(pages=2, text="second"), "cv-2024.pdf")
    document = Document.objects.get(pk=first.document.pk)
    assert document.current_version == second.version
    numbers = list(document.versions.order_by("number").values_list("number", "original_filename"))
    assert numbers == [(1, "cv-2023.pdf"), (2, "cv-2024.pdf")]
    assert second.version is not None
    assert second.version.page_count == 2


def test_without_antivirus_a_version_is_marked_not_scanned(upload: Upload) -> None:
    result = upload("cv", corpus.pdf())
    assert result.version is not None
    assert result.version.scan_status == ScanStatus.NOT_SCANNED
    assert result.version.scanned_at is None
    assert result.accepted


def test_a_refused_replacement_keeps_the_accepted_file(upload: Upload) -> None:
    good = upload("cv", corpus.pdf())
    refused = upload("cv", corpus.docx(), "cv.pdf")
    document = Document.objects.get(pk=good.document.pk)
    assert refused.refusal is not None
    assert document.state == DocumentState.ACCEPTED_ON_ARRIVAL
    assert document.current_version == good.version
    event = ApplicationEvent.objects.filter(action="document.refused_on_arrival").get()
    assert event.details["reason"] == "wrong_type"
    assert "from" not in event.details  # the state did not change


def test_a_refusal_then_a_good_file_clears_the_reason(upload: Upload) -> None:
    upload("cv", corpus.encrypted_pdf())
    result = upload("cv", corpus.pdf())
    document = Document.objects.get(pk=result.document.pk)
    assert document.state == DocumentState.ACCEPTED_ON_ARRIVAL
    assert document.refusal_code == ""
    assert document.refusal_message == ""


def test_history_records_each_upload_with_its_hash(upload: Upload, candidate: User) -> None:
    result = upload("cv", corpus.pdf(), "mon cv.pdf")
    event = ApplicationEvent.objects.get(action="document.uploaded")
    assert event.actor == candidate
    assert result.version is not None
    assert event.details["sha256"] == result.version.sha256
    assert event.details["filename"] == "mon cv.pdf"
    assert (event.details["from"], event.details["to"]) == ("missing", "accepted_on_arrival")


def test_the_client_file_name_is_reduced_to_its_last_part(upload: Upload) -> None:
    result = upload("cv", corpus.pdf(), "C:\\Users\\camille\\..\\cv\x07.pdf")
    assert result.version is not None
    assert result.version.original_filename == "cv.pdf"


def test_another_candidate_cannot_upload(upload: Upload, other_candidate: User) -> None:
    with pytest.raises(NotYourDocumentError):
        upload("cv", corpus.pdf(), by=other_candidate)
    assert not DocumentVersion.objects.exists()


def test_a_sent_file_is_locked_for_the_candidate(upload: Upload, application: Application) -> None:
    upload("cv", corpus.pdf())
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    with pytest.raises(DocumentLockedError):
        upload("cv", corpus.pdf(pages=2))
    assert DocumentVersion.objects.count() == 1


def test_a_document_rejected_by_staff_can_be_replaced_once_the_file_is_sent_back(
    upload: Upload, application: Application
) -> None:
    first = upload("cv", corpus.pdf())
    upload("photo", corpus.jpeg(), "photo.jpg")
    Document.objects.filter(pk=first.document.pk).update(state=DocumentState.REJECTED_BY_STAFF)
    Application.objects.filter(pk=application.pk).update(status=Status.INCOMPLETE)
    second = upload("cv", corpus.pdf(pages=2))
    assert second.document.state == DocumentState.ACCEPTED_ON_ARRIVAL
    with pytest.raises(DocumentLockedError):  # an accepted document stays as it is
        upload("photo", corpus.jpeg(), "photo.jpg")


def test_a_document_the_school_provides_is_not_uploaded_by_the_candidate(
    upload: Upload, officer: User
) -> None:
    with pytest.raises(DocumentLockedError):
        upload("devis-region", corpus.pdf())
    assert upload("devis-region", corpus.pdf(), by=officer).accepted


def test_staff_may_add_a_document_to_a_sent_file(
    upload: Upload, application: Application, officer: User
) -> None:
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    result = upload("cv", corpus.pdf(), by=officer)
    assert result.accepted
    assert result.version is not None
    assert result.version.uploaded_by == officer


def test_staff_who_only_read_the_file_cannot_upload(upload: Upload, interviewer: User) -> None:
    with pytest.raises(NotYourDocumentError):
        upload("cv", corpus.pdf(), by=interviewer)


def _row(document: Document) -> dict[str, object]:
    return {f.attname: getattr(document, f.attname) for f in Document._meta.concrete_fields}


def test_the_row_written_is_the_document_the_upload_answers_with(upload: Upload) -> None:
    # The document's row is written with the columns a version changes only: each of them
    # must reach it, and the others keep what they held.
    refused = upload("cv", corpus.encrypted_pdf())
    assert Document.objects.get(pk=refused.document.pk).refusal_code != ""
    replaced = upload("cv", corpus.pdf())
    foreign = upload("diplome", corpus.pdf(), foreign_language=True)
    for result in (replaced, foreign):
        stored = Document.objects.get(pk=result.document.pk)
        assert _row(stored) == _row(result.document)
    assert Document.objects.get(pk=foreign.document.pk).foreign_language
    assert Document.objects.get(pk=replaced.document.pk).refusal_params == {}
