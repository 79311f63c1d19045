"""The candidate deletes a document, only before the file is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.documents import services
from admissions.documents.errors import DocumentLockedError, NotYourDocumentError
from admissions.documents.models import Document, DocumentVersion
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload, stored


def test_deleting_removes_versions_translation_and_files(
    upload: Upload,
    candidate: User,
    media: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        upload("diplome", corpus.pdf(), foreign_language=True)
        upload("diplome", corpus.pdf(pages=2))
        upload("diplome", corpus.pdf(), translation=True)
    assert len(stored(media, "documents")) == 3
    document = services.find_document(
        Document.objects.get(translation_of=None).application, "diplome"
    )
    assert document is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_document(document, by=candidate)
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert stored(media, "documents") == []
    event = ApplicationEvent.objects.get(action="document.deleted")
    assert event.details["versions"] == 2


def test_no_deletion_once_sent(upload: Upload, application: Application, candidate: User) -> None:
    result = upload("cv", corpus.pdf())
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    with pytest.raises(DocumentLockedError):
        services.delete_document(result.document, by=candidate)
    assert DocumentVersion.objects.count() == 1


def test_staff_cannot_delete(upload: Upload, officer: User) -> None:
    result = upload("cv", corpus.pdf())
    with pytest.raises(NotYourDocumentError):
        services.delete_document(result.document, by=officer)
