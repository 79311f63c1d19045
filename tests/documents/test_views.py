"""The documents pages: checklist and forms, uploads, downloads, review, import."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.fixtures import Settings

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document, DocumentVersion, ScanStatus
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload, multipart_with_name
from tests.services.base import LOOPBACK, free_port


def url(name: str, *args: object) -> str:
    """The path in the default language (no prefix), whatever the last request activated."""
    with translation.override("fr"):
        return reverse(f"documents:{name}", args=args)


def page(application: Application) -> str:
    return url("list", application.reference)


def upload_url(application: Application, code: str) -> str:
    return url("upload", application.reference, code)


def post_file(
    client: Client, url: str, data: bytes, name: str = "cv.pdf", **fields: object
) -> object:
    return client.post(url, {"file": SimpleUploadedFile(name, data), **fields}, **{})


@pytest.fixture
def signed_in(client: Client, candidate: User) -> Client:
    client.force_login(candidate)
    return client


def test_the_page_has_a_form_per_item(signed_in: Client, application: Application) -> None:
    response = signed_in.get(page(application))
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("cv", "photo", "piece-identite", "diplome"):
        assert f'id="doc-{code}"' in html
        assert upload_url(application, code) in html
    assert html.count('enctype="multipart/form-data"') == 4
    assert 'data-max-bytes="1048576"' in html  # the CV's limit, for the progress script
    assert 'accept=".jpg,.jpeg,image/jpeg"' in html
    assert "/static/documents/upload.js" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("persona", ["other_candidate", "foreign_officer"])
def test_others_get_404(
    client: Client, application: Application, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(page(application)).status_code == 404
    response = post_file(client, upload_url(application, "cv"), corpus.pdf())
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert not DocumentVersion.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, application: Application) -> None:
    response = client.get(page(application))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_upload_through_the_form(signed_in: Client, application: Application) -> None:
    response = post_file(signed_in, upload_url(application, "cv"), corpus.pdf(), "mon-cv.pdf")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"].endswith(page(application) + "#doc-cv")  # type: ignore[index]
    version = DocumentVersion.objects.get()
    assert version.original_filename == "mon-cv.pdf"
    followed = signed_in.get(page(application))
    assert "mon-cv.pdf" in followed.content.decode()


def test_a_refusal_is_told_in_the_readers_language(
    signed_in: Client, application: Application
) -> None:
    url = "/en" + upload_url(application, "photo")
    post_file(signed_in, url, corpus.png(), "photo.jpg")
    html = signed_in.get("/en" + page(application)).content.decode()
    assert "a PNG image" in html
    assert "JPEG" in html
    assert not DocumentVersion.objects.exists()


def test_the_progress_script_gets_json(signed_in: Client, application: Application) -> None:
    response = signed_in.post(
        upload_url(application, "cv"),
        {"file": SimpleUploadedFile("cv.pdf", corpus.pdf())},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {"redirect": page(application) + "#doc-cv"}


def test_an_over_size_request_is_refused_before_it_is_read(
    signed_in: Client, application: Application
) -> None:
    data = corpus.oversize_pdf(3 * 1024 * 1024)  # far past the CV's 1 MB
    response = post_file(signed_in, upload_url(application, "cv"), data)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert not DocumentVersion.objects.exists()
    event = ApplicationEvent.objects.get(action="document.refused_on_arrival")
    assert event.details["reason"] == "too_large"


def test_a_file_just_over_the_limit_is_cut_off_while_it_arrives(
    signed_in: Client, application: Application
) -> None:
    data = corpus.oversize_pdf(1024 * 1024)  # within the form's envelope, past the file limit
    post_file(signed_in, upload_url(application, "cv"), data)
    assert not DocumentVersion.objects.exists()
    document = Document.objects.get()
    assert document.refusal_code == "too_large"


def test_the_csrf_check_still_runs(application: Application, candidate: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    response = post_file(client, upload_url(application, "cv"), corpus.pdf())
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert not DocumentVersion.objects.exists()


def post_form(client: Client, address: str, body: bytes) -> HttpResponse:
    return client.post(  # type: ignore[return-value]
        address, data=body, content_type="multipart/form-data; boundary=form"
    )


LONG_NAME = "a" * 5000 + ".pdf"


def test_a_file_name_of_5000_characters_is_told_in_the_page(
    signed_in: Client, application: Application
) -> None:
    body = multipart_with_name("file", LONG_NAME, corpus.pdf())
    response = post_form(signed_in, "/en" + upload_url(application, "cv"), body)
    assert response.status_code == 302
    html = signed_in.get(response["Location"]).content.decode()
    assert "its name is too long" in html
    assert not DocumentVersion.objects.exists()


def test_a_file_name_of_5000_characters_is_told_in_french(
    signed_in: Client, application: Application
) -> None:
    body = multipart_with_name("file", LONG_NAME, corpus.pdf())
    response = post_form(signed_in, upload_url(application, "cv"), body)
    html = signed_in.get(response["Location"]).content.decode()
    assert "son nom est trop long" in html


def test_an_archive_name_of_5000_characters_is_told_in_the_page(
    client: Client, application: Application, officer: User
) -> None:
    client.force_login(officer)
    archive = corpus.zip_of({"cv.pdf": corpus.pdf()})
    body = multipart_with_name("archive", "z" * 5000 + ".zip", archive)
    response = post_form(client, "/en" + url("import", application.reference), body)
    assert response.status_code == 400
    assert "its name is too long" in response.content.decode()
    assert "<form" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_a_missing_validity_date_is_reported(signed_in: Client, application: Application) -> None:
    post_file(signed_in, upload_url(application, "piece-identite"), corpus.pdf())
    assert not DocumentVersion.objects.exists()
    post_file(
        signed_in,
        upload_url(application, "piece-identite"),
        corpus.pdf(),
        valid_until="2031-01-31",
    )
    assert Document.objects.get().valid_until == dt.date(2031, 1, 31)


def test_marking_the_language_asks_for_a_translation(
    signed_in: Client, application: Application
) -> None:
    post_file(signed_in, upload_url(application, "cv"), corpus.pdf(), foreign_language="on")
    html = signed_in.get(page(application)).content.decode()
    translation_url = url("upload_translation", application.reference, "cv")
    assert translation_url in html
    post_file(signed_in, translation_url, corpus.pdf(text="translation"))
    translation = Document.objects.get(translation_of__isnull=False)
    assert translation.state == DocumentState.ACCEPTED_ON_ARRIVAL
    signed_in.post(url("language", application.reference, "cv"), {})
    assert not Document.objects.filter(translation_of__isnull=False).exists()


def test_deleting_from_the_page(signed_in: Client, application: Application) -> None:
    post_file(signed_in, upload_url(application, "cv"), corpus.pdf())
    signed_in.post(url("delete", application.reference, "cv"))
    assert not Document.objects.exists()


# Downloads ----------------------------------------------------------------------------------


@pytest.fixture
def version(upload: Upload) -> DocumentVersion:
    result = upload("cv", corpus.pdf())
    assert result.version is not None
    return result.version


def download_url(version: DocumentVersion) -> str:
    return url("download", version.public_id)


@pytest.mark.parametrize("persona", ["candidate", "officer", "interviewer"])
def test_the_owner_and_staff_of_the_programme_download(
    client: Client, version: DocumentVersion, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(download_url(version))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert version.document.application.reference in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


@pytest.mark.parametrize("persona", ["other_candidate", "foreign_officer"])
def test_another_candidate_and_staff_of_another_programme_get_404(
    client: Client, version: DocumentVersion, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(download_url(version)).status_code == 404


def test_unknown_and_unscanned_files_are_not_served(
    client: Client, candidate: User, version: DocumentVersion
) -> None:
    client.force_login(candidate)
    missing = url("download", uuid.uuid4())
    assert client.get(missing).status_code == 404
    DocumentVersion.objects.filter(pk=version.pk).update(scan_status=ScanStatus.ERROR)
    assert client.get(download_url(version)).status_code == 404


def test_a_download_needs_a_session(client: Client, version: DocumentVersion) -> None:
    assert client.get(download_url(version)).status_code == 302


# Staff --------------------------------------------------------------------------------------


def test_staff_see_every_version_and_unscanned_files(
    client: Client, upload: Upload, application: Application, officer: User, candidate: User
) -> None:
    upload("cv", corpus.pdf(), "first.pdf")
    upload("cv", corpus.pdf(pages=2), "second.pdf")
    client.force_login(officer)
    html = client.get("/en" + page(application)).content.decode()
    assert "first.pdf" in html
    assert "second.pdf" in html
    assert "not scanned by an antivirus" in html
    assert "SHA-256" in html
    client.force_login(candidate)
    html = client.get("/en" + page(application)).content.decode()
    assert "second.pdf" in html
    assert "first.pdf" not in html


def test_review_from_the_page(
    client: Client, upload: Upload, application: Application, officer: User
) -> None:
    upload("cv", corpus.pdf())
    upload("photo", corpus.jpeg(), "photo.jpg")
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    client.force_login(officer)
    client.post(url("review", application.reference, "cv"), {"decision": "accept"})
    client.post(
        url("review", application.reference, "photo"),
        {"decision": "reject", "reason": "Photo floue"},
    )
    states = dict(Document.objects.values_list("requirement_code", "state"))
    assert states == {"cv": "accepted_by_staff", "photo": "rejected_by_staff"}


def test_the_candidate_cannot_review(
    signed_in: Client, upload: Upload, application: Application
) -> None:
    upload("cv", corpus.pdf())
    Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
    review = url("review", application.reference, "cv")
    assert signed_in.post(review, {"decision": "accept"}).status_code == 404


def test_a_deferred_scan_is_shown_as_pending(
    signed_in: Client, application: Application, settings: Settings
) -> None:
    settings.CLAMD_ADDRESS = f"tcp://{LOOPBACK}:{free_port()}"
    settings.CLAMD_TIMEOUT = 2
    post_file(signed_in, "/en" + upload_url(application, "cv"), corpus.pdf())
    html = signed_in.get("/en" + page(application)).content.decode()
    assert "Being checked" in html


# Import -------------------------------------------------------------------------------------


def test_an_officer_imports_a_zip(client: Client, application: Application, officer: User) -> None:
    client.force_login(officer)
    address = url("import", application.reference)
    assert client.get(address).status_code == 200
    archive = corpus.zip_of({"cv.pdf": corpus.pdf(), "photo.jpg": corpus.jpeg()})
    response = client.post(address, {"archive": SimpleUploadedFile("dossier.zip", archive)})
    assert response.status_code == 302
    assert DocumentVersion.objects.count() == 2


def test_a_bad_zip_gets_a_report(client: Client, application: Application, officer: User) -> None:
    client.force_login(officer)
    address = "/en" + url("import", application.reference)
    response = client.post(address, {"archive": SimpleUploadedFile("d.zip", corpus.zip_slip())})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "../../etc/cron.d/cv.pdf" in html
    assert not DocumentVersion.objects.exists()


def test_the_import_is_closed_to_others(
    client: Client, application: Application, foreign_officer: User, interviewer: User
) -> None:
    address = url("import", application.reference)
    for person in (foreign_officer, interviewer):
        client.force_login(person)
        assert client.get(address).status_code == 404


def test_a_candidate_sending_one_zip_where_the_school_asks_for_one(
    signed_in: Client, application: Application
) -> None:
    # IMT Nord Europe's rulebook asks for "un seul fichier zip".
    archive = corpus.zip_of({"cv.pdf": corpus.pdf()})
    response = signed_in.post(
        url("import", application.reference),
        {"archive": SimpleUploadedFile("dossier.zip", archive)},
    )
    assert response.status_code == 302
    assert DocumentVersion.objects.get().uploaded_by == application.candidate


def test_an_over_size_archive_is_refused_unread(
    client: Client, application: Application, officer: User, settings: Settings
) -> None:
    settings.DOCUMENTS_IMPORT_MAX_BYTES = 1024
    client.force_login(officer)
    archive = corpus.zip_of({"cv.pdf": corpus.pdf(pages=3), "photo.jpg": corpus.jpeg()})
    response = client.post(
        "/en" + url("import", application.reference),
        {"archive": SimpleUploadedFile("dossier.zip", archive)},
    )
    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_a_document_outside_the_checklist_is_still_shown(
    signed_in: Client, upload: Upload, application: Application, officer: User
) -> None:
    # The school adds a funding quote the candidate's own checklist does not list.
    upload("devis-region", corpus.pdf(), "devis.pdf", by=officer)
    html = signed_in.get("/en" + page(application)).content.decode()
    assert 'id="doc-devis-region"' in html
    assert "Training quote" in html
    assert "devis.pdf" in html
    assert url("upload", application.reference, "devis-region") not in html  # not theirs to send
