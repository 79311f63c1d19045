"""The office opens a file from a ZIP through the API, as on the page: all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.documents.models import DocumentVersion
from admissions.people.models import Role, User
from tests.documents import corpus
from tests.documents.test_import_new_file import NEW_EMAIL, counts, good_archive
from tests.factories import load_preset, staff_member


def _form(campaign: Campaign, programme: Programme, data: bytes, **changes: object) -> dict:
    return {
        "url": f"/api/v1/staff/campaigns/{campaign.pk}/programmes/{programme.pk}/new-files",
        "track": "full_time",
        "financing_mode": "personnel",
        "email": NEW_EMAIL,
        "given_names": "Léa",
        "family_name": "Martin",
        "language": "en",
        "archive": SimpleUploadedFile("dossier.zip", data, content_type="application/zip"),
    } | changes


def _send(client: Client, form: dict, **headers: str) -> Any:
    fields = dict(form)
    return client.post(fields.pop("url"), fields, **headers)


def test_the_office_opens_a_file_with_its_documents(
    client: Client, officer: User, campaign: Campaign, programme: Programme, media: Path
) -> None:
    client.force_login(officer)
    answer = _send(client, _form(campaign, programme, good_archive()))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    application = Application.objects.get(reference=body["reference"])
    assert application.candidate.email == NEW_EMAIL
    assert application.programme == programme
    assert body["account_created"] is True
    assert sorted(row["requirement"] for row in body["imported"]) == [
        "cv",
        "photo",
        "piece-identite",
    ]
    assert DocumentVersion.objects.filter(uploaded_by=officer).count() == 3
    again = _send(client, _form(campaign, programme, good_archive()))
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_application")


def test_a_refused_archive_or_bad_fields_create_nothing(
    client: Client, officer: User, campaign: Campaign, programme: Programme, media: Path
) -> None:
    client.force_login(officer)
    before = counts()
    broken = corpus.zip_of({"dossier/cv.pdf": b"not a pdf", "dossier/photo.jpg": corpus.jpeg()})
    refused = _send(client, _form(campaign, programme, broken))
    assert (refused.status_code, refused.json()["code"]) == (422, "import_refused")
    assert refused.json()["details"]["problems"][0]["entry"] == "dossier/cv.pdf"
    bad_email = _send(
        client, _form(campaign, programme, good_archive(), email="nope"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert bad_email.status_code == 422
    assert bad_email.json()["details"] == [{"field": "email", "message": "not an email address"}]
    assert bad_email.json()["message"] == "Saisissez une adresse de courriel valide."
    no_name = _send(client, _form(campaign, programme, good_archive(), family_name="  "))
    assert no_name.json()["details"][0]["field"] == "family_name"
    missing = _send(client, {"url": _form(campaign, programme, b"")["url"], "track": "full_time"})
    assert (missing.status_code, missing.json()["code"]) == (422, "validation_failed")
    mode = _send(client, _form(campaign, programme, good_archive(), financing_mode="nope"))
    assert mode.status_code in (409, 422)
    assert counts() == before


def test_an_archive_too_large_is_refused_before_it_is_read(
    client: Client, officer: User, campaign: Campaign, programme: Programme, settings: Settings
) -> None:
    settings.DOCUMENTS_IMPORT_MAX_BYTES = 1_000
    client.force_login(officer)
    answer = _send(client, _form(campaign, programme, good_archive()))
    assert (answer.status_code, answer.json()["code"]) == (413, "too_large")
    assert not Application.objects.exists()


def test_no_one_else_opens_files(
    client: Client,
    candidate: User,
    officer: User,
    foreign_officer: User,
    interviewer: User,
    campaign: Campaign,
    programme: Programme,
) -> None:
    form = _form(campaign, programme, good_archive())
    anonymous = _send(client, form)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    elsewhere = staff_member(Role.ADMISSIONS_OFFICER, institution=load_preset("imt-bs").institution)
    # Another programme's officer holds the role, but not on this programme.
    for person in (candidate, interviewer, elsewhere, foreign_officer):
        client.force_login(person)
        answer = _send(client, _form(campaign, programme, good_archive()))
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), person
    client.force_login(elsewhere)
    bs = Campaign.objects.exclude(pk=campaign.pk).get()
    bs_programme = Programme.objects.filter(institution=bs.institution).order_by("pk")[0]
    # Their own programme with another school's campaign.
    answer = _send(client, _form(campaign, bs_programme, good_archive()))
    assert answer.status_code == 404
    client.force_login(officer)
    assert _send(client, _form(bs, programme, good_archive())).status_code == 404
    assert not Application.objects.exists()
