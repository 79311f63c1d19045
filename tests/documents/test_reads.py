"""The compiled reads of an upload give the instances the ORM gives, field for field."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.db.models import Model

from admissions.applications.models import Application
from admissions.documents import reads
from admissions.documents.models import Document
from tests.documents import corpus
from tests.documents.conftest import Upload

RELATED = ("candidate", "programme", "campaign")


def fields(instance: Model) -> dict[str, Any]:
    return {k: v for k, v in vars(instance).items() if not k.startswith("_")}


def same(compiled: Model, orm: Model) -> None:
    assert type(compiled) is type(orm)
    assert fields(compiled) == fields(orm)
    assert compiled.get_deferred_fields() == orm.get_deferred_fields()
    assert compiled._state.db == orm._state.db
    assert not compiled._state.adding


def same_file(compiled: Application | None, orm: Application | None) -> None:
    assert compiled is not None
    assert orm is not None
    same(compiled, orm)
    for name in RELATED:
        assert Application._meta.get_field(name).is_cached(compiled)
        same(getattr(compiled, name), getattr(orm, name))
    same(compiled.programme.institution, orm.programme.institution)
    # The rulebooks are left deferred, read from their digest by `rules`.
    assert "rulebook" in compiled.campaign.get_deferred_fields()


def test_the_file_by_its_reference(application: Application) -> None:
    orm = reads.file_rows().filter(reference=application.reference).first()
    same_file(reads.file_by_reference(application.reference), orm)
    assert reads.file_by_reference("NO-SUCH-FILE") is None


@pytest.mark.django_db(transaction=True)
def test_the_locked_file(application: Application) -> None:
    with transaction.atomic():
        compiled = reads.locked_file(application.pk)
        orm = reads.file_rows().select_for_update(of=("self",)).get(pk=application.pk)
        same_file(compiled, orm)
        assert reads.locked_file(-5) is None


def test_the_document_of_a_file(application: Application, upload: Upload) -> None:
    assert reads.original_document(application.pk, "cv") is None
    upload("cv", corpus.pdf())
    orm = Document.objects.get(application=application, requirement_code="cv")
    found = reads.original_document(application.pk, "cv")
    assert found is not None
    same(found, orm)
    with transaction.atomic():
        locked = reads.original_document(application.pk, "cv", locked=True)
        assert locked is not None
        same(locked, orm)
    assert reads.original_document(application.pk, "passport") is None
