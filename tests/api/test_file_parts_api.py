"""A file's messages, payments and interview booking through the API; webhook endpoints
managed by an institution's administrator."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.notify.models import Notification, WebhookEndpoint
from admissions.people.models import Role, User
from admissions.review import interviews
from admissions.workflow.models import Message
from admissions.workflow.submission import submit
from tests.factories import eligible_candidate, programme_of, ready_application, staff_member
from tests.review.conftest import admissible, complete, officer_of


def sent(campaign: Campaign) -> Application:
    candidate = eligible_candidate()
    application = ready_application(candidate, campaign, programme_of(campaign))
    return submit(application, by=candidate)


def as_(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_messages_between_the_candidate_and_the_office(nord: Campaign) -> None:
    application = sent(nord)
    url = f"/api/v1/applications/{application.reference}/messages"
    posted = as_(application.candidate).post(
        url, {"body": "When is the jury?"}, content_type="application/json"
    )
    assert posted.status_code == 201, posted.content
    assert posted.json()["from_staff"] is False
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    thread = as_(officer).get(url).json()
    assert [m["body"] for m in thread] == ["When is the jury?"]
    assert Message.objects.count() == 1
    assert Notification.objects.exists()  # the office was told, as from the page
    stranger = as_(eligible_candidate())
    assert stranger.get(url).status_code == 404
    empty = as_(application.candidate).post(url, {"body": ""}, content_type="application/json")
    assert empty.status_code == 422


def test_payments_of_my_file(nord: Campaign) -> None:
    application = sent(nord)
    body = (
        as_(application.candidate)
        .get(f"/api/v1/applications/{application.reference}/payments")
        .json()
    )
    assert body["fee_status"] == "paid"
    assert body["lines"][0]["charge_kind"] == "application_fee"
    assert body["lines"][0]["outstanding_cents"] == 0
    other = as_(eligible_candidate())
    assert other.get(f"/api/v1/applications/{application.reference}/payments").status_code == 404


def test_booking_and_cancelling_an_interview(bs: Campaign) -> None:
    candidate = eligible_candidate()
    application = submit(
        ready_application(
            candidate, bs, programme_of(bs), track="work_study", financing_mode="opco"
        ),
        by=candidate,
    )
    application = admissible(complete(application))
    officer = officer_of(bs)
    url = f"/api/v1/applications/{application.reference}/interview"
    assert as_(candidate).get(url).status_code == 404  # not invited yet
    interviews.invite(application, by=officer)
    programme = programme_of(bs)
    slot = interviews.publish_slot(
        programme,
        by=officer,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=4),
        interviewer=staff_member(Role.INTERVIEWER, programme=programme),
    )
    shown = as_(candidate).get(url).json()
    assert [s["id"] for s in shown["free_slots"]] == [slot.pk]
    booked = as_(candidate).put(url, {"slot_id": slot.pk}, content_type="application/json")
    assert booked.status_code == 200
    application.refresh_from_db()
    assert application.status == Status.INTERVIEW_SCHEDULED
    assert as_(candidate).delete(url).status_code == 200
    application.refresh_from_db()
    assert application.status == Status.ADMISSIBLE
    unknown = as_(candidate).put(url, {"slot_id": 999999}, content_type="application/json")
    assert unknown.status_code == 404


def test_an_administrator_registers_an_endpoint_and_reads_its_deliveries(
    nord: Campaign, bs: Campaign
) -> None:
    admin = as_(staff_member(Role.INSTITUTION_ADMIN, institution=nord.institution))
    body = {
        "institution": "imt-nord-europe",
        "url": "https://erp.example.org/hooks",
        "events": ["application.submitted", "place.confirmed"],
    }
    made = admin.post("/api/v1/webhooks", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert len(made.json()["secret"]) == 64
    listed = admin.get("/api/v1/webhooks").json()
    assert "secret" not in listed[0]
    endpoint_id = made.json()["id"]
    assert admin.get(f"/api/v1/webhooks/{endpoint_id}/deliveries").json() == []
    # An officer, or another school's administrator, may not.
    officer = as_(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    assert (
        officer.post("/api/v1/webhooks", body, content_type="application/json").status_code == 403
    )
    other = as_(staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution))
    assert other.get(f"/api/v1/webhooks/{endpoint_id}/deliveries").status_code == 404
    assert other.delete(f"/api/v1/webhooks/{endpoint_id}").status_code == 404
    assert admin.delete(f"/api/v1/webhooks/{endpoint_id}").json()["active"] is False
    bad = admin.post(
        "/api/v1/webhooks",
        {**body, "url": "ftp://example.org/x"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    unknown_event = admin.post(
        "/api/v1/webhooks", {**body, "events": ["nothing"]}, content_type="application/json"
    )
    assert unknown_event.status_code == 422
    assert WebhookEndpoint.objects.count() == 1
