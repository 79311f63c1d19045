"""/api/v1/applications: the candidate's own files over the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.rules.deadlines import PARIS
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    draft,
    eligible_candidate,
    programme_of,
    ready_application,
)

BASE = "/api/v1/applications"


def create_body(campaign: Campaign, **changes: Any) -> dict[str, Any]:
    body = {
        "campaign_id": campaign.pk,
        "programme_id": programme_of(campaign).pk,
        "track": "full_time",
        "financing_mode": "personnel",
    }
    body.update(changes)
    return body


def post(client: Client, url: str, data: Any = None) -> Any:
    return client.post(url, data if data is not None else {}, content_type="application/json")


def patch(client: Client, url: str, data: Any) -> Any:
    return client.patch(url, data, content_type="application/json")


def test_signing_in_is_required(client: Client, nord: Campaign) -> None:
    for response in (client.get(BASE), post(client, BASE, create_body(nord))):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_create_list_and_read(api: Client, nord: Campaign) -> None:
    created = post(api, BASE, create_body(nord, cover_letter="Brouillon"))
    assert created.status_code == 201
    body = created.json()
    assert body["reference"] == "NE-2024-000001"
    assert body["status"] == "draft"
    assert body["fee_status"] == "due"
    assert body["cover_letter"] == "Brouillon"
    assert body["eligibility"] is None

    listed = api.get(BASE).json()
    assert [item["reference"] for item in listed] == ["NE-2024-000001"]
    read = api.get(f"{BASE}/NE-2024-000001")
    assert read.status_code == 200
    assert read.json()["programme"]["id"] == programme_of(nord).pk


def test_a_second_application_to_the_same_programme_is_a_409(api: Client, nord: Campaign) -> None:
    post(api, BASE, create_body(nord))
    again = post(api, BASE, create_body(nord))
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "duplicate_application"
    assert body["details"] == {"reference": "NE-2024-000001"}
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"track": "work_study"}, 422, "invalid_choice"),
        ({"financing_mode": "lottery"}, 422, "invalid_choice"),
        ({"track": "part_time"}, 422, "validation_failed"),
        ({"campaign_id": 999_999}, 404, "not_found"),
        ({"cover_letter": "x" * 20_001}, 422, "validation_failed"),
        ({"extra": True}, 422, "validation_failed"),
    ],
)
def test_bad_creations_are_explained(
    api: Client, nord: Campaign, changes: dict[str, Any], status: int, code: str
) -> None:
    response = post(api, BASE, create_body(nord, **changes))
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Application.objects.exists()


def test_creation_after_the_campaign_closed(
    api: Client, nord: Campaign, clock: time_machine.Coordinates
) -> None:
    clock.move_to(dt.datetime(2024, 6, 8, 9, 0, tzinfo=PARIS))
    response = post(api, BASE, create_body(nord))
    assert response.status_code == 409
    assert response.json()["code"] == "campaign_closed"


def test_update_a_draft(api: Client, nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    response = patch(api, f"{BASE}/{application.reference}", {"cover_letter": "Nouvelle"})
    assert response.status_code == 200
    assert response.json()["cover_letter"] == "Nouvelle"
    assert response.json()["financing_mode"] == "personnel"
    bad = patch(api, f"{BASE}/{application.reference}", {"financing_mode": "nope"})
    assert bad.status_code == 422
    assert bad.json()["details"]["field"] == "financing_mode"


def test_check_then_submit(api: Client, nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    check = api.get(f"{BASE}/{application.reference}/check").json()
    assert check["ready"] is False
    assert {p["code"] for p in check["problems"]} == {
        "missing_document",
        "text_too_short",
        "fee_unpaid",
    }
    assert check["deadline"].startswith("2024-06-07T22:00:00")

    refused = post(api, f"{BASE}/{application.reference}/submit")
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_ready"
    assert len(refused.json()["details"]["problems"]) == len(check["problems"])

    ready = ready_application(candidate, nord, programme_of(nord, _second_slug(nord)))
    assert api.get(f"{BASE}/{ready.reference}/check").json() == {
        "ready": True,
        "deadline": "2024-06-07T22:00:00Z",
        "problems": [],
    }
    submitted = post(api, f"{BASE}/{ready.reference}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["eligibility"]["route"] == "ingenieur-cti"

    locked = patch(api, f"{BASE}/{ready.reference}", {"cover_letter": "Trop tard"})
    assert locked.status_code == 409
    assert locked.json()["code"] == "application_locked"
    twice = post(api, f"{BASE}/{ready.reference}/submit")
    assert twice.status_code == 200
    assert (
        ApplicationEvent.objects.filter(application=ready, action="application.submit").count() == 1
    )


def test_submission_after_the_deadline(
    api: Client, nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    application = ready_application(candidate, nord)
    clock.move_to(dt.datetime(2024, 6, 8, 0, 0, tzinfo=PARIS))
    response = post(api, f"{BASE}/{application.reference}/submit")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "deadline_passed"
    assert body["details"]["deadline"] == "2024-06-07T22:00:00+00:00"


def test_withdraw(api: Client, nord: Campaign, candidate: User) -> None:
    application = draft(
        candidate, nord, cover_letter=COVER_LETTER, professional_project=PROFESSIONAL_PROJECT
    )
    response = post(api, f"{BASE}/{application.reference}/withdraw", {"reason": "Autre choix"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = post(api, f"{BASE}/{application.reference}/withdraw")
    assert again.status_code == 200


def test_another_candidate_gets_404_everywhere(client: Client, nord: Campaign) -> None:
    owner = eligible_candidate()
    application = ready_application(owner, nord)
    client.force_login(eligible_candidate())
    url = f"{BASE}/{application.reference}"
    responses = [
        client.get(url),
        patch(client, url, {"cover_letter": "Piraté"}),
        client.get(f"{url}/check"),
        post(client, f"{url}/submit"),
        post(client, f"{url}/withdraw"),
    ]
    assert [r.status_code for r in responses] == [404] * 5
    assert {r.json()["code"] for r in responses} == {"not_found"}
    assert client.get(BASE).json() == []
    application.refresh_from_db()
    assert (application.status, application.cover_letter) == ("draft", COVER_LETTER)


def test_csrf_is_required_for_a_session(nord: Campaign, candidate: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(candidate)
    refused = post(browser, BASE, create_body(nord))
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not Application.objects.exists()

    assert browser.get(BASE).status_code == 200  # a safe request needs no token
    browser.get(reverse("portal:self_check"))  # a page with a form sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        BASE, create_body(nord), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def _second_slug(campaign: Campaign) -> str:
    return list(campaign.institution.programmes.order_by("pk"))[1].slug
