"""Validity dates: asked where the rulebook says, refused when already past, flagged later."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from admissions.applications.models import Application
from admissions.documents.errors import InvalidDocumentInputError
from admissions.documents.models import Document, DocumentVersion
from admissions.documents.status import expired_documents
from tests.documents import corpus
from tests.documents.conftest import Upload

TODAY = dt.date(2024, 2, 12)  # the conftest's clock


def test_an_identity_document_needs_its_validity_date(upload: Upload) -> None:
    with pytest.raises(InvalidDocumentInputError) as refused:
        upload("piece-identite", corpus.pdf())
    assert refused.value.details == {"field": "valid_until"}
    assert not DocumentVersion.objects.exists()


def test_an_already_expired_document_is_refused(upload: Upload) -> None:
    with pytest.raises(InvalidDocumentInputError) as refused:
        upload("piece-identite", corpus.pdf(), valid_until=TODAY - dt.timedelta(days=1))
    assert "expired" in refused.value.message or "expiré" in refused.value.message


def test_a_document_valid_until_today_is_accepted(upload: Upload) -> None:
    result = upload("piece-identite", corpus.jpeg(), "id.jpg", valid_until=TODAY)
    assert result.accepted
    assert Document.objects.get(pk=result.document.pk).valid_until == TODAY


def test_a_document_that_expires_later_is_flagged(
    upload: Upload, application: Application, clock: time_machine.Coordinates
) -> None:
    upload("piece-identite", corpus.pdf(), valid_until=dt.date(2024, 6, 30))
    upload("cv", corpus.pdf())
    assert expired_documents(application, on=dt.date(2024, 6, 30)) == []
    expired = expired_documents(application, on=dt.date(2024, 7, 1))
    assert [document.requirement_code for document in expired] == ["piece-identite"]
    clock.move_to(dt.datetime(2024, 9, 1, 10, 0, tzinfo=dt.UTC))
    assert len(expired_documents(application)) == 1


def test_the_validity_date_follows_the_current_version(upload: Upload) -> None:
    upload("piece-identite", corpus.pdf(), valid_until=dt.date(2024, 6, 30))
    result = upload("piece-identite", corpus.pdf(), valid_until=dt.date(2034, 6, 30))
    assert Document.objects.get(pk=result.document.pk).valid_until == dt.date(2034, 6, 30)
