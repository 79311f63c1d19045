"""/api/v1/documents: the same checks and permissions as the pages, in JSON."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from admissions.applications.models import Application
from admissions.documents.models import Document, DocumentVersion
from admissions.people.models import User
from tests.documents import corpus

BASE = "/api/v1/documents"


@pytest.fixture
def api(client: Client, candidate: User) -> Client:
    client.force_login(candidate)
    return client


def test_the_checklist_with_states(api: Client, application: Application) -> None:
    response = api.get(f"{BASE}/{application.reference}")
    assert response.status_code == 200
    entries = response.json()
    assert [entry["requirement"] for entry in entries] == [
        "cv",
        "photo",
        "piece-identite",
        "diplome",
    ]
    assert all(entry["document"] is None and not entry["satisfied"] for entry in entries)


def test_an_upload_is_checked_and_stored(api: Client, application: Application) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.pdf(pages=2))},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["accepted"] is True
    version = body["document"]["current_version"]
    assert version["pages"] == 2
    assert version["scan_status"] == "not_scanned"
    download = api.get(version["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_refused_file_answers_422_with_its_reason(api: Client, application: Application) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.javascript_open_action_pdf())},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "pdf_javascript"
    assert "JavaScript" in body["message"]
    assert not DocumentVersion.objects.exists()


def test_an_over_size_body_answers_413_unread(api: Client, application: Application) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.oversize_pdf(3 * 1024 * 1024))},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not DocumentVersion.objects.exists()


def test_a_file_just_over_the_limit_is_cut_off(api: Client, application: Application) -> None:
    response = api.post(
        f"{BASE}/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.oversize_pdf(1024 * 1024))},
    )
    assert response.status_code == 413
    assert not DocumentVersion.objects.exists()


def test_validity_date_and_translation(api: Client, application: Application) -> None:
    url = f"{BASE}/{application.reference}"
    missing_date = api.post(
        f"{url}/piece-identite", {"file": SimpleUploadedFile("i.pdf", corpus.pdf())}
    )
    assert missing_date.status_code == 422
    assert missing_date.json()["code"] == "invalid_document_input"
    dated = api.post(
        f"{url}/piece-identite",
        {"file": SimpleUploadedFile("i.pdf", corpus.pdf()), "valid_until": "2031-05-31"},
    )
    assert dated.json()["document"]["valid_until"] == "2031-05-31"
    api.post(
        f"{url}/cv",
        {"file": SimpleUploadedFile("cv.pdf", corpus.pdf()), "foreign_language": "true"},
    )
    translated = api.post(
        f"{url}/cv/translation", {"file": SimpleUploadedFile("t.pdf", corpus.pdf())}
    )
    assert translated.status_code == 201
    assert translated.json()["document"]["translation"] is True
    entries = {entry["requirement"]: entry for entry in api.get(url).json()}
    assert entries["cv"]["satisfied"] is True
    assert entries["cv"]["translation"]["state"] == "accepted_on_arrival"


def test_delete_before_sending(api: Client, application: Application) -> None:
    url = f"{BASE}/{application.reference}/cv"
    api.post(url, {"file": SimpleUploadedFile("cv.pdf", corpus.pdf())})
    assert api.delete(url).status_code == 204
    assert not Document.objects.exists()
    assert api.delete(url).status_code == 404


@pytest.mark.parametrize("persona", ["other_candidate", "foreign_officer"])
def test_others_get_404(
    client: Client, application: Application, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"{BASE}/{application.reference}").status_code == 404
    response = client.post(
        f"{BASE}/{application.reference}/cv", {"file": SimpleUploadedFile("cv.pdf", corpus.pdf())}
    )
    assert response.status_code == 404
    assert not DocumentVersion.objects.exists()


def test_anonymous_calls_are_refused(client: Client, application: Application) -> None:
    assert client.get(f"{BASE}/{application.reference}").status_code == 401


def test_the_schema_lists_the_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/documents/{reference}/{code}" in paths
    assert "/api/v1/documents/files/{public_id}" in paths
