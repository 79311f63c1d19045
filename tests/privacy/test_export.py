"""A candidate downloads everything the platform holds about them, and nothing of another."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from django.test import Client
from django.urls import reverse

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.people.models import User
from admissions.privacy.export import DATA_NAME, write_export
from admissions.workflow.messages import Upload as MessageUpload
from admissions.workflow.messages import post_message
from tests.documents import corpus
from tests.documents.conftest import Upload
from tests.factories import WorkPeriodFactory, draft, pay_fee


def export_of(user: User) -> zipfile.ZipFile:
    out = io.BytesIO()
    write_export(user, out)
    out.seek(0)
    return zipfile.ZipFile(out)


def test_the_zip_holds_every_piece_of_the_candidate_and_nothing_of_another(
    upload: Upload,
    application: Application,
    candidate: User,
    other_candidate: User,
    campaign: Campaign,
    programme: Programme,
    officer: User,
) -> None:
    WorkPeriodFactory(profile=candidate.profile, employer="Acme Lille")
    first_cv, second_cv = corpus.pdf(text="first"), corpus.pdf(text="second", pages=2)
    translation = corpus.pdf(text="translated")
    photo = corpus.jpeg()
    upload("cv", first_cv, "mon cv.pdf")
    upload("cv", second_cv, "mon cv 2.pdf", foreign_language=True)
    upload("cv", translation, translation=True)
    upload("photo", photo, "photo.jpg")
    Application.objects.filter(pk=application.pk).update(cover_letter="Ma lettre à moi")
    pay_fee(application)
    attached = corpus.pdf(text="attached")
    post_message(
        application,
        by=officer,
        body="Bonjour Camille, votre dossier est bien reçu.",
        attachments=[MessageUpload(io.BytesIO(attached), "note.pdf")],
    )
    others = draft(other_candidate, campaign, programme)
    other_cv = corpus.pdf(text="someone else")
    upload("cv", other_cv, "other.pdf", application=others, by=other_candidate)

    archive = export_of(candidate)
    names = archive.namelist()
    ref = application.reference
    assert names[0] == DATA_NAME
    assert sorted(names[1:]) == sorted(
        [
            f"documents/{ref}/cv-v1.pdf",
            f"documents/{ref}/cv-v2.pdf",
            f"documents/{ref}/cv-translation-v1.pdf",
            f"documents/{ref}/photo-v1.jpg",
            *[n for n in names if n.startswith(f"messages/{ref}/")],
        ]
    )
    assert [n for n in names if n.startswith("messages/")]
    assert archive.read(f"documents/{ref}/cv-v1.pdf") == first_cv
    assert archive.read(f"documents/{ref}/cv-v2.pdf") == second_cv
    assert archive.read(f"documents/{ref}/photo-v1.jpg") == photo
    [message_file] = [n for n in names if n.startswith("messages/")]
    assert archive.read(message_file) == attached

    data = json.loads(archive.read(DATA_NAME))
    assert data["account"]["email"] == candidate.email
    assert data["profile"]["given_names"] == "Camille"
    assert data["profile"]["education"][0]["title"]
    assert data["profile"]["work_periods"][0]["employer"] == "Acme Lille"
    [file] = data["applications"]
    assert file["reference"] == ref
    assert file["cover_letter"] == "Ma lettre à moi"
    assert file["history"], "the candidate-visible history"
    assert file["messages"][0]["body"].startswith("Bonjour Camille")
    assert file["messages"][0]["attachments"][0]["in_zip"] == message_file
    kinds = [line["kind"] for line in file["ledger"]]
    assert "charge" in kinds
    assert "payment" in kinds
    cv = next(d for d in file["documents"] if d["requirement"] == "cv" and not d["translation"])
    assert [v["sha256"] for v in cv["versions"]] == [
        hashlib.sha256(first_cv).hexdigest(),
        hashlib.sha256(second_cv).hexdigest(),
    ]
    assert [v["file_name"] for v in cv["versions"]] == ["mon cv.pdf", "mon cv 2.pdf"]

    text = archive.read(DATA_NAME).decode()
    assert others.reference not in text
    assert other_candidate.email not in text
    assert hashlib.sha256(other_cv).hexdigest() not in text
    assert all(archive.read(n) != other_cv for n in names[1:])


def test_the_page_downloads_the_zip_for_its_candidate_only(
    client: Client, upload: Upload, application: Application, candidate: User
) -> None:
    upload("cv", corpus.pdf())
    url = reverse("privacy:export")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(candidate)
    page = client.get(reverse("privacy:my_data"))
    assert page.status_code == 200
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert f"documents/{application.reference}/cv-v1.pdf" in archive.namelist()
