"""The whole file as one ZIP, with a PDF summary listing every file and its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import pikepdf
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.models import Application
from admissions.documents.bundle import SUMMARY_NAME, write_bundle
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload
from tests.documents.pdftext import outline_titles, pdf_text


def bundle_of(application: Application) -> zipfile.ZipFile:
    out = io.BytesIO()
    write_bundle(application, out)
    out.seek(0)
    return zipfile.ZipFile(out)


def test_the_zip_holds_the_summary_and_every_current_file(
    upload: Upload, application: Application
) -> None:
    cv = corpus.pdf(pages=2)
    upload("cv", corpus.pdf(text="old"))
    upload("cv", cv, foreign_language=True)
    upload("cv", corpus.pdf(text="translated"), translation=True)
    photo = corpus.jpeg()
    upload("photo", photo, "photo.jpg")
    upload("piece-identite", corpus.docx(), "id.pdf", valid_until=dt.date(2030, 1, 1))  # refused
    archive = bundle_of(application)
    assert archive.namelist() == [SUMMARY_NAME, "cv.pdf", "cv.translation.pdf", "photo.jpg"]
    assert archive.read("cv.pdf") == cv  # the current version, byte for byte
    assert archive.read("photo.jpg") == photo
    assert archive.testzip() is None


def test_the_summary_parses_and_lists_the_files_with_their_hashes(
    upload: Upload, application: Application
) -> None:
    cv = corpus.pdf()
    photo = corpus.jpeg()
    upload("cv", cv)
    upload("photo", photo, "ma photo.jpg")
    archive = bundle_of(application)
    with pikepdf.open(io.BytesIO(archive.read(SUMMARY_NAME))) as summary:
        assert not summary.get_warnings()
        titles = outline_titles(summary)
        text = pdf_text(summary)
    assert {"cv.pdf", "photo.jpg"} <= set(titles)
    for data in (cv, photo):
        assert hashlib.sha256(data).hexdigest() in text.replace("\n", "")
    assert application.reference in text
    assert "ma photo.jpg" in text
    assert application.candidate.email in text


def test_the_summary_speaks_the_readers_language(upload: Upload, application: Application) -> None:
    upload("cv", corpus.pdf())
    with translation.override("en"):
        english = pdf_text(pikepdf.open(io.BytesIO(bundle_of(application).read(SUMMARY_NAME))))
    with translation.override("fr"):
        french = pdf_text(pikepdf.open(io.BytesIO(bundle_of(application).read(SUMMARY_NAME))))
    assert "Identity photo" in english
    assert "Photo d'identité" in french


def test_an_empty_file_still_has_its_summary(application: Application) -> None:
    assert bundle_of(application).namelist() == [SUMMARY_NAME]


def test_the_bundle_download(
    upload: Upload,
    application: Application,
    client: Client,
    candidate: User,
    officer: User,
    other_candidate: User,
    foreign_officer: User,
) -> None:
    upload("cv", corpus.pdf())
    url = reverse("documents:bundle", args=[application.reference])
    for allowed in (candidate, officer):
        client.force_login(allowed)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert zipfile.ZipFile(io.BytesIO(content)).namelist() == [SUMMARY_NAME, "cv.pdf"]
    for refused in (other_candidate, foreign_officer):
        client.force_login(refused)
        assert client.get(url).status_code == 404


def test_documents_outside_the_checklist_come_last(
    upload: Upload, application: Application, officer: User
) -> None:
    upload("devis-region", corpus.pdf(), by=officer)
    upload("cv", corpus.pdf())
    assert bundle_of(application).namelist() == [SUMMARY_NAME, "cv.pdf", "devis-region.pdf"]
