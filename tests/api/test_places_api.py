"""Places and waiting lists through the API, and the office's moves on a file after the jury:
the places pages' scope (404 outside), the pages' services and their codes."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import time_machine
from django.test import Client

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign
from admissions.demo.candidates import sample_pdf
from admissions.documents.services import upload_document
from admissions.people.models import CandidateProfile, Role, User
from admissions.workflow.models import InternationalFile, VisaOutcome
from tests.factories import programme_of, staff_member
from tests.workflow.places_helpers import (
    NORD_PROGRAMME,
    before_the_jury,
    decided,
    set_capacity,
)

JSON = "application/json"
FUNDED = {"financing_mode": "plan-formation-entreprise"}


def as_(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def officer_of(campaign: Campaign) -> User:
    return staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)


def test_the_places_the_offers_and_the_ranked_list(nord: Campaign) -> None:
    set_capacity(nord, NORD_PROGRAMME, 1)
    offered = decided(nord, NORD_PROGRAMME, "publish_admitted")
    second = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=2)
    first = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=1)
    client = as_(officer_of(nord))
    listed = client.get("/api/v1/staff/places").json()
    programme = programme_of(nord, NORD_PROGRAMME)
    row = next(r for r in listed if r["programme_id"] == programme.pk)
    assert (row["capacity"], row["confirmed"], row["offered"], row["waiting"]) == (1, 0, 1, 2)
    detail = client.get(f"/api/v1/staff/places/{programme.pk}/{nord.pk}").json()
    assert detail["policy"] == "release_when_needed"
    assert detail["can_release"] is True
    assert detail["counts"]["open"] == 1
    assert [o["reference"] for o in detail["offers"]] == [offered.reference]
    assert [(w["position"], w["reference"], w["rank"]) for w in detail["waiting_list"]] == [
        (1, first.reference, 1),
        (2, second.reference, 2),
    ]
    assert {m["reference"] for m in detail["movements"]} >= {first.reference, second.reference}


def test_a_place_is_released_only_after_its_window_then_the_list_is_called(
    bs: Campaign,
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    choices = {"track": "work_study", "financing_mode": "opco"}
    slug = "ms-achats-supply-chain"
    set_capacity(bs, slug, 1)
    offered = decided(bs, slug, "publish_admitted", **choices)
    waiting = decided(bs, slug, "publish_waitlisted", rank=1, **choices)
    officer = officer_of(bs)
    client = as_(officer, "fr")
    url = f"/api/v1/staff/files/{offered.reference}/release"
    early = client.post(url, {}, JSON)
    assert early.status_code == 409
    assert early.json()["code"] == "place_not_overdue"
    assert "minuit" in early.json()["message"]
    clock.shift(dt.timedelta(days=20))
    client = as_(officer, "fr")  # the session of 20 days ago has expired
    with django_capture_on_commit_callbacks(execute=True):  # the list is called after commit
        released = client.post(url, {}, JSON, HTTP_IDEMPOTENCY_KEY="release-1")
    assert released.status_code == 200, released.content
    replayed = client.post(url, {}, JSON, HTTP_IDEMPOTENCY_KEY="release-1")
    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == released.json()
    offered.refresh_from_db()
    waiting.refresh_from_db()
    assert offered.status != Status.ADMITTED
    assert waiting.status == Status.ADMITTED


def test_outside_the_places_scope_nothing_is_seen(
    nord: Campaign, bs: Campaign, client: Client
) -> None:
    offered = decided(nord, NORD_PROGRAMME, "publish_admitted")
    programme = programme_of(nord, NORD_PROGRAMME)
    detail = f"/api/v1/staff/places/{programme.pk}/{nord.pk}"
    release = f"/api/v1/staff/files/{offered.reference}/release"
    interviewer = staff_member(Role.INTERVIEWER, programme=programme)
    for user in (officer_of(bs), offered.candidate, interviewer):
        stranger = as_(user)
        assert stranger.get(detail).status_code == 404
        assert stranger.post(release, {}, JSON).status_code == 404
    assert as_(offered.candidate).get("/api/v1/staff/places").status_code == 404
    assert as_(officer_of(bs)).get("/api/v1/staff/places").json() == []
    assert client.get("/api/v1/staff/places").status_code == 401
    assert client.post(release, {}, JSON).status_code == 401
    offered.refresh_from_db()
    assert offered.status == Status.ADMITTED


def test_the_condition_asked_accepted_and_lifted(nord: Campaign) -> None:
    application = before_the_jury(nord, NORD_PROGRAMME, **FUNDED)
    transition(application, action="publish_admitted_conditionally", by=None)
    client = as_(officer_of(nord))
    url = f"/api/v1/staff/files/{application.reference}"
    early = client.post(f"{url}/lift-condition", {}, JSON)
    assert early.status_code == 409
    assert early.json()["code"] == "diploma_not_accepted"
    nothing = client.post(f"{url}/diploma", {"decision": "maybe"}, JSON)
    assert nothing.status_code == 422
    assert nothing.json()["details"][0]["field"] == "decision"
    asked = client.post(f"{url}/diploma", {"decision": "ask"}, JSON)
    assert asked.status_code == 200, asked.content
    row = next(d for d in asked.json()["documents"] if d["code"] == "diplome")
    assert row["document"]["state"] == "rejected_by_staff"  # the diploma in progress, sent back
    upload_document(
        application=application,
        requirement_code="diplome",
        stream=io.BytesIO(sample_pdf("Diplôme obtenu")),
        filename="diplome.pdf",
        by=application.candidate,
        foreign_language=False,
    )
    assert client.post(f"{url}/diploma", {"decision": "accept"}, JSON).status_code == 200
    lifted = client.post(f"{url}/lift-condition", {}, JSON)
    assert lifted.status_code == 200
    assert lifted.json()["status"] == Status.ADMITTED


def test_the_visa_outcome(nord: Campaign) -> None:
    application = decided(nord, NORD_PROGRAMME, "publish_admitted", **FUNDED)
    CandidateProfile.objects.filter(user=application.candidate).update(nationality="SN")
    url = f"/api/v1/staff/files/{application.reference}/visa"
    client = as_(officer_of(nord))
    wrong = client.post(url, {"outcome": "granted", "decided_on": "01/07/2024"}, JSON)
    assert wrong.status_code == 422
    answer = client.post(url, {"outcome": "granted", "decided_on": "2024-07-01"}, JSON)
    assert answer.status_code == 200
    row = InternationalFile.objects.get(application=application)
    assert row.visa_outcome == VisaOutcome.GRANTED
    assert row.visa_decided_on == dt.date(2024, 7, 1)
    candidate = as_(application.candidate)
    assert candidate.post(url, {"outcome": "refused"}, JSON).status_code == 404
