"""A document in a foreign language asks for its translation, as a linked document."""

from __future__ import annotations

import pytest

from admissions.applications.models import Application, ApplicationEvent
from admissions.documents import services
from admissions.documents.errors import InvalidDocumentInputError
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.documents.status import (
    application_checklist,
    checklist_with_states,
    missing_requirements,
)
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload


def rows_by_code(application: Application) -> dict[str, object]:
    rows = checklist_with_states(application, application_checklist(application))
    return {row.code: row for row in rows}


def test_a_foreign_diploma_asks_for_its_translation(
    upload: Upload, application: Application
) -> None:
    result = upload("diplome", corpus.pdf(), foreign_language=True)
    translation = Document.objects.get(translation_of=result.document)
    assert translation.state == DocumentState.MISSING
    assert translation.requirement_code == "diplome"
    assert ApplicationEvent.objects.filter(action="document.translation_requested").exists()
    row = rows_by_code(application)["diplome"]
    assert row.translation == translation  # type: ignore[attr-defined]
    assert not row.satisfied  # type: ignore[attr-defined]
    assert "diplome" in missing_requirements(application)


def test_the_translation_completes_the_item(upload: Upload, application: Application) -> None:
    upload("diplome", corpus.pdf(), foreign_language=True)
    result = upload("diplome", corpus.pdf(text="Traduction certifiée"), translation=True)
    assert result.document.is_translation
    assert result.document.state == DocumentState.ACCEPTED_ON_ARRIVAL
    assert rows_by_code(application)["diplome"].satisfied  # type: ignore[attr-defined]
    assert "diplome" not in missing_requirements(application)


def test_no_translation_without_the_foreign_language_mark(upload: Upload) -> None:
    upload("diplome", corpus.pdf())
    with pytest.raises(InvalidDocumentInputError):
        upload("diplome", corpus.pdf(), translation=True)
    assert not Document.objects.filter(translation_of__isnull=False).exists()


def test_a_requirement_that_is_not_translatable_asks_nothing(upload: Upload) -> None:
    upload("photo", corpus.jpeg(), "photo.jpg", foreign_language=True)
    assert not Document.objects.filter(translation_of__isnull=False).exists()


def test_withdrawing_the_mark_withdraws_the_translation(upload: Upload, candidate: User) -> None:
    result = upload("cv", corpus.pdf(), foreign_language=True)
    upload("cv", corpus.pdf(), translation=True)
    services.set_foreign_language(result.document, foreign=False, by=candidate)
    assert not Document.objects.filter(translation_of__isnull=False).exists()
    assert ApplicationEvent.objects.filter(action="document.translation_withdrawn").exists()


def test_marking_later_asks_for_it_too(upload: Upload, candidate: User) -> None:
    result = upload("cv", corpus.pdf())
    services.set_foreign_language(result.document, foreign=True, by=candidate)
    assert Document.objects.filter(translation_of=result.document).exists()
    # Marking twice asks once.
    services.set_foreign_language(result.document, foreign=True, by=candidate)
    assert Document.objects.filter(translation_of=result.document).count() == 1


def test_no_translation_asked_where_the_rulebook_accepts_any_language(
    upload: Upload, application: Application
) -> None:
    rules = dict(application.campaign.rulebook)
    rules["documents"] = {**rules["documents"], "translation": "none"}
    application.campaign.rulebook = rules
    application.campaign.save()
    fresh = Application.objects.get(pk=application.pk)
    upload("cv", corpus.pdf(), foreign_language=True, application=fresh)
    assert not Document.objects.filter(translation_of__isnull=False).exists()
