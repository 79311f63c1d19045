"""Idempotency-Key: the same key and body answer the first result without running the write
again; the same key with another body is refused; keys are per user and expire."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client, RequestFactory
from django.utils import timezone

from admissions.api.idempotency import fingerprint
from admissions.api.models import IdempotentAnswer
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.people.models import User
from tests.factories import eligible_candidate


def _body(campaign: Campaign, track: str = "full_time") -> dict[str, object]:
    return {
        "campaign_id": campaign.pk,
        "programme_id": campaign.institution.programmes.first().pk,
        "track": track,
        "financing_mode": "personnel",
    }


def _post(client: Client, body: dict[str, object], key: str) -> object:
    return client.post(
        "/api/v1/applications",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_same_key_and_body_replay_the_first_answer(
    api: Client, candidate: User, nord: Campaign
) -> None:
    first = _post(api, _body(nord), "key-1")
    again = _post(api, _body(nord), "key-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.filter(candidate=candidate).count() == 1


def test_the_same_key_with_another_body_is_refused(
    api: Client, candidate: User, nord: Campaign
) -> None:
    _post(api, _body(nord), "key-2")
    refused = _post(api, _body(nord, track="part_time"), "key-2")
    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency_key_reused"
    assert Application.objects.filter(candidate=candidate).count() == 1


def test_keys_belong_to_their_user(api: Client, candidate: User, nord: Campaign) -> None:
    _post(api, _body(nord), "shared")
    other = Client()
    other.force_login(eligible_candidate())
    assert _post(other, _body(nord), "shared").status_code == 201
    assert Application.objects.count() == 2


def test_a_key_expires(
    api: Client, candidate: User, nord: Campaign, clock: time_machine.Coordinates
) -> None:
    _post(api, _body(nord), "old")
    clock.shift(dt.timedelta(hours=25))
    again = _post(api, _body(nord), "old")
    # Run again, not replayed: the same programme twice is refused by the write itself.
    assert "Idempotent-Replayed" not in again
    assert again.status_code == 409
    assert not again.json()["code"].startswith("idempotency")
    assert IdempotentAnswer.objects.filter(key="old").count() == 1


def test_a_refused_caller_keeps_no_answer(db: None, nord: Campaign) -> None:
    assert _post(Client(), _body(nord), "anon").status_code == 401
    assert not IdempotentAnswer.objects.exists()


def test_a_key_too_long_is_refused(api: Client, nord: Campaign) -> None:
    answer = _post(api, _body(nord), "k" * 300)
    assert answer.status_code == 422
    assert answer.json()["code"] == "idempotency_key_invalid"


def test_a_key_left_running_by_a_killed_process_is_taken_over_once(
    api: Client, candidate: User, nord: Campaign, clock: time_machine.Coordinates
) -> None:
    """The first request's process died before it answered: its key stays "running" (its
    write rolled back with it) until it is old enough to be abandoned, then runs once."""
    IdempotentAnswer.objects.create(
        user=candidate,
        key="killed",
        fingerprint=_fingerprint_of(_body(nord)),
        created_at=timezone.now(),
    )
    assert _post(api, _body(nord), "killed").json()["code"] == "idempotency_in_progress"
    clock.shift(dt.timedelta(seconds=301))
    retried = _post(api, _body(nord), "killed")
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    replayed = _post(api, _body(nord), "killed")
    assert replayed.status_code == 201
    assert replayed["Idempotent-Replayed"] == "true"
    assert Application.objects.filter(candidate=candidate).count() == 1
    assert IdempotentAnswer.objects.filter(key="killed").count() == 1


def _fingerprint_of(body: dict[str, object]) -> str:
    """The fingerprint a first request with `body` left."""
    return fingerprint(
        RequestFactory().post("/api/v1/applications", body, content_type="application/json")
    )
