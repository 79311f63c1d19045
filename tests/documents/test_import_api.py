"""The import of a file's documents from one ZIP, through the API as on the import page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents.models import Document, DocumentVersion
from admissions.people.models import Role, User
from tests.documents import corpus
from tests.documents.test_zipimport import good_archive
from tests.factories import load_preset, staff_member


def _url(application: Application) -> str:
    return f"/api/v1/applications/{application.reference}/documents/import"


def _send(client: Client, application: Application, data: bytes, **headers: str) -> Any:
    archive = SimpleUploadedFile("dossier.zip", data, content_type="application/zip")
    return client.post(_url(application), {"archive": archive}, **headers)


def test_the_candidate_imports_a_draft_s_documents(
    client: Client, candidate: User, application: Application, media: Path
) -> None:
    client.force_login(candidate)
    answer = _send(client, application, good_archive())
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert sorted(
        (row["entry"], row["requirement"], row["translation"]) for row in body["imported"]
    ) == [
        ("dossier/CV.pdf", "cv", False),
        ("dossier/cv.translation.pdf", "cv", True),
        ("dossier/photo.jpg", "photo", False),
        ("dossier/piece-identite.2031-05-31.pdf", "piece-identite", False),
    ]
    assert len(body["ignored"]) == 2
    assert all(row["version"]["sha256"] for row in body["imported"])
    assert DocumentVersion.objects.filter(uploaded_by=candidate).count() == 4


def test_the_office_imports_and_a_bad_archive_imports_nothing(
    client: Client, officer: User, application: Application, media: Path
) -> None:
    client.force_login(officer)
    broken = corpus.zip_of(
        {"dossier/CV.pdf": b"not a pdf at all", "dossier/photo.jpg": corpus.jpeg()}
    )
    answer = _send(client, application, broken, HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "import_refused"
    assert body["message"] == "Rien n’a été importé : corrigez l’archive et envoyez-la de nouveau."
    assert [problem["entry"] for problem in body["details"]["problems"]] == ["dossier/CV.pdf"]
    assert not Document.objects.exists()
    not_zip = _send(client, application, b"plain text")
    assert not_zip.json()["details"]["problems"][0]["code"] == "not_a_zip"
    missing = client.post(_url(application), {})
    assert (missing.status_code, missing.json()["code"]) == (422, "validation_failed")
    assert _send(client, application, good_archive()).status_code == 201
    assert DocumentVersion.objects.filter(uploaded_by=officer).count() == 4


def test_an_archive_too_large_is_refused_before_it_is_read(
    client: Client, candidate: User, application: Application, settings: Settings
) -> None:
    settings.DOCUMENTS_IMPORT_MAX_BYTES = 1_000
    client.force_login(candidate)
    answer = _send(client, application, good_archive())
    assert (answer.status_code, answer.json()["code"]) == (413, "too_large")
    assert answer.json()["details"] == {"limit": 1_000}
    assert not Document.objects.exists()


def test_no_one_else_imports(
    client: Client,
    other_candidate: User,
    foreign_officer: User,
    interviewer: User,
    application: Application,
    campaign: Campaign,
) -> None:
    anonymous = _send(client, application, good_archive())
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    elsewhere = staff_member(Role.ADMISSIONS_OFFICER, institution=load_preset("imt-bs").institution)
    for person in (other_candidate, foreign_officer, interviewer, elsewhere):
        client.force_login(person)
        answer = _send(client, application, good_archive())
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), person
    assert not Document.objects.exists()


def test_a_candidate_imports_only_a_draft(
    client: Client, candidate: User, application: Application
) -> None:
    Application.objects.filter(pk=application.pk).update(status="submitted")
    client.force_login(candidate)
    assert _send(client, application, good_archive()).status_code == 404
