"""The candidate's answer to the jury through the API: what the status page shows after the
decision, confirming the place and declining it, through the pages' services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.people.models import Role
from tests.factories import eligible_candidate, staff_member
from tests.workflow.places_helpers import NORD_PROGRAMME, decided
from tests.workflow.test_confirmation import settle_everything

Capture = Callable[..., Any]


def as_(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def admitted(nord: Campaign, django_capture_on_commit_callbacks: Capture) -> Application:
    with django_capture_on_commit_callbacks(execute=True):
        return decided(nord, NORD_PROGRAMME, "publish_admitted")


def test_the_offer_shows_the_window_and_what_is_owed(admitted: Application) -> None:
    body = as_(admitted.candidate).get(f"/api/v1/applications/{admitted.reference}/offer").json()
    assert body["status"] == "admitted"
    assert body["decided"] is True
    assert body["may_decline"] is True
    state = body["confirmation"]
    assert state["is_open"] is True
    assert state["amounts"], "the first instalment is owed to confirm"
    assert not state["can_confirm"]
    assert body["waiting_list"] is None


def test_confirming_unpaid_is_refused_in_the_readers_language_then_done_once(
    admitted: Application,
) -> None:
    url = f"/api/v1/applications/{admitted.reference}/confirm"
    refused = as_(admitted.candidate, "fr").post(url)
    assert refused.status_code == 409
    assert refused.json()["code"] == "confirmation_unpaid"
    assert refused.json()["message"].startswith("Réglez")
    settle_everything(admitted)
    client = as_(admitted.candidate)
    # A JSON write (a form's body stays outside the replays, as uploads).
    first = client.post(url, {}, "application/json", HTTP_IDEMPOTENCY_KEY="confirm-1")
    assert first.status_code == 200, first.content
    assert first.json()["status"] == Status.CONFIRMED
    assert first.json()["confirmation"] is None
    again = client.post(url, {}, "application/json", HTTP_IDEMPOTENCY_KEY="confirm-1")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert admitted.events.filter(action="application.confirm").count() == 1


def test_leaving_the_waiting_list_with_a_reason(nord: Campaign) -> None:
    waiting = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=1)
    client = as_(waiting.candidate)
    offer = client.get(f"/api/v1/applications/{waiting.reference}/offer").json()
    assert offer["waiting_list"] == {"position": 1, "rank": 1}
    assert offer["confirmation"] is None
    url = f"/api/v1/applications/{waiting.reference}/decline"
    too_long = client.post(url, {"reason": "x" * 1001}, content_type="application/json")
    assert too_long.status_code == 422
    assert too_long.json()["details"][0]["field"] == "reason"
    answer = client.post(url, {"reason": "Another school"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["status"] == Status.DECLINED
    assert answer.json()["may_decline"] is False
    event = waiting.events.get(action="application.decline")
    assert event.details == {"reason": "Another school"}


def test_nothing_to_decline_is_a_conflict(admitted: Application) -> None:
    settle_everything(admitted)
    client = as_(admitted.candidate)
    client.post(f"/api/v1/applications/{admitted.reference}/decline", {}, "application/json")
    again = client.post(f"/api/v1/applications/{admitted.reference}/confirm")
    assert again.status_code == 409
    assert again.json()["code"] == "not_admitted"


def test_nobody_else_reaches_the_offer(admitted: Application, client: Client) -> None:
    offer = f"/api/v1/applications/{admitted.reference}/offer"
    confirm = f"/api/v1/applications/{admitted.reference}/confirm"
    assert client.get(offer).status_code == 401
    assert client.post(confirm).status_code == 401
    other = as_(eligible_candidate())
    assert other.get(offer).status_code == 404
    assert other.post(confirm).status_code == 404
    officer = as_(staff_member(Role.ADMISSIONS_OFFICER, institution=admitted.campaign.institution))
    assert officer.get(offer).status_code == 404
    assert officer.post(confirm).status_code == 404
    admitted.refresh_from_db()
    assert admitted.status == Status.ADMITTED
