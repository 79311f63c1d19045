"""The pages' remaining moves on a file through the API: the candidate's declared fee
transfer and Études en France number, the staff's fee paid outside the platform and an
outbox email sent again; and the candidate's personal data (download, erasure). Each goes
through the page's service, within its scope (404 outside)."""

from __future__ import annotations

import io
import json
import zipfile

import time_machine
from django.test import Client

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.notify.models import Notification
from admissions.payments import ledger
from admissions.people.models import CandidateProfile, Role, User
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.models import InternationalFile
from tests.api.test_staff_api import as_, sent
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    accept_all_documents,
    draft,
    eligible_candidate,
    staff_member,
)
from tests.workflow.places_helpers import NORD_PROGRAMME, decided
from tests.workflow.test_declared_transfers import LAST_EVENING

JSON = "application/json"


def test_the_candidate_declares_the_fee_transfer(
    nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    application = draft(
        candidate, nord, cover_letter=COVER_LETTER, professional_project=PROFESSIONAL_PROJECT
    )
    accept_all_documents(application)
    clock.move_to(LAST_EVENING)
    url = f"/api/v1/applications/{application.reference}/fee-transfer-made"
    for outsider in (
        eligible_candidate(),
        staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution),
    ):
        assert as_(outsider).post(url).status_code == 404
    assert Client().post(url).status_code == 401
    assert not application.events.filter(action="application.fee_transfer_declared").exists()
    client = as_(candidate)
    answer = client.post(url)
    assert answer.status_code == 200, answer.content
    assert answer.json()["reference"] == application.reference
    assert client.post(url).status_code == 200  # recorded once
    assert application.events.filter(action="application.fee_transfer_declared").count() == 1
    submitted = client.post(f"/api/v1/applications/{application.reference}/submit")
    assert submitted.status_code == 200, submitted.content
    refused = client.post(url)
    assert refused.status_code == 409
    assert refused.json()["message"] == "This application is already submitted."


def test_the_campus_france_number(nord: Campaign, bs: Campaign) -> None:
    offer = decided(nord, NORD_PROGRAMME, "publish_admitted")
    CandidateProfile.objects.filter(user=offer.candidate).update(nationality="MA")
    url = f"/api/v1/applications/{offer.reference}/campus-france"
    client = as_(offer.candidate)
    wrong = client.put(url, {"number": "?"}, content_type=JSON)
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "validation_failed"
    assert client.put(url, {}, content_type=JSON).status_code == 422
    for outsider in (
        eligible_candidate(),
        staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution),
    ):
        assert as_(outsider).put(url, {"number": "MA24-1"}, content_type=JSON).status_code == 404
    assert Client().put(url, {"number": "MA24-1"}, content_type=JSON).status_code == 401
    answer = client.put(url, {"number": " ma24-12345 "}, content_type=JSON)
    assert answer.status_code == 200, answer.content
    assert answer.json()["reference"] == offer.reference
    assert InternationalFile.objects.get(application=offer).campus_france_number == "MA24-12345"
    assert offer.events.filter(action="international.campus_france_number").count() == 1


def test_a_fee_paid_outside_the_platform(nord: Campaign, bs: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    url = f"/api/v1/staff/files/{application.reference}/fee-paid"
    for outsider in (
        candidate,
        eligible_candidate(),
        staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution),
    ):
        assert as_(outsider).post(url, {}, content_type=JSON).status_code == 404
    assert Client().post(url, {}, content_type=JSON).status_code == 401
    interviewer = staff_member(Role.INTERVIEWER, institution=nord.institution)
    refused = as_(interviewer).post(url, {}, content_type=JSON)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"
    officer = as_(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    too_long = officer.post(url, {"note": "x" * 501}, content_type=JSON)
    assert too_long.status_code == 422
    answer = officer.post(url, {"note": "Paid by cheque"}, content_type=JSON)
    assert answer.status_code == 200, answer.content
    assert answer.json()["recorded"] is True
    again = officer.post(url, {"note": "Paid by cheque"}, content_type=JSON)
    assert again.json()["recorded"] is False
    assert ledger.balance_cents(application.pk, ChargeKind.APPLICATION_FEE) == 0


def test_an_outbox_email_sent_again(bs: Campaign, nord: Campaign) -> None:
    application = sent(bs)
    email = Notification.objects.filter(application=application).order_by("pk")[0]
    url = f"/api/v1/staff/outbox/{email.pk}/resend"
    for outsider in (
        application.candidate,
        staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution),
    ):
        assert as_(outsider).post(url).status_code == 404
    assert Client().post(url).status_code == 401
    assert as_(application.candidate).post("/api/v1/staff/outbox/999999/resend").status_code == 404
    officer = as_(staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution))
    answer = officer.post(url)
    assert answer.status_code == 201, answer.content
    copy = answer.json()
    assert copy["resend_of"] == email.pk
    assert copy["reference"] == application.reference
    assert copy["to_address"] == application.candidate.email
    assert Notification.objects.filter(resend_of=email).count() == 1


def test_my_data_download_and_erasure(nord: Campaign, candidate: User) -> None:
    application: Application = draft(candidate, nord)
    client = as_(candidate)
    mine = client.get("/api/v1/me/data")
    assert mine.status_code == 200
    assert mine.json()["staff_account"] is False
    assert [row["reference"] for row in mine.json()["files"]] == [application.reference]
    download = client.get("/api/v1/me/data/export.zip")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = archive.namelist()
        data = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
    assert candidate.email in json.dumps(data)
    for url in ("/api/v1/me/data", "/api/v1/me/data/export.zip"):
        assert Client().get(url).status_code == 401
    assert (
        Client()
        .post("/api/v1/me/data/erasure", {"understood": True}, content_type=JSON)
        .status_code
        == 401
    )
    not_ticked = client.post("/api/v1/me/data/erasure", {"understood": False}, content_type=JSON)
    assert not_ticked.status_code == 422
    assert not_ticked.json()["details"][0]["field"] == "understood"
    staff = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    refused = as_(staff).post("/api/v1/me/data/erasure", {"understood": True}, content_type=JSON)
    assert refused.status_code == 403
    assert refused.json()["code"] == "staff_account"
    erased = client.post("/api/v1/me/data/erasure", {"understood": True}, content_type=JSON)
    assert erased.status_code == 200, erased.content
    assert erased.json()["erased"] == [application.reference]
    assert erased.json()["account_erased"] is True
    candidate.refresh_from_db()
    assert not candidate.is_active
    assert client.get("/api/v1/me/data").status_code == 401  # signed out with it
