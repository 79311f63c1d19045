"""Webhooks, delivered to a real HTTP server on 127.0.0.1: the moves integrators asked for,
signed with a timestamp, retried with back-off, their answers kept."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine

from admissions.applications.history import transition
from admissions.applications.lifecycle import MOVES, REGISTERING, Status
from admissions.catalog.models import Campaign
from admissions.notify import webhooks
from admissions.notify.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from admissions.people.models import Role, User
from admissions.workflow.submission import submit
from tests.factories import ready_application, staff_member


class Receiver:
    """An integrator's server: records what it receives, answers the status it is told."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.answer = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.answer)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answered {receiver.answer}".encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _endpoint(campaign: Campaign, url: str, events: list[str]) -> WebhookEndpoint:
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=campaign.institution)
    return webhooks.register_endpoint(
        institution=campaign.institution, url=url, events=events, by=admin
    )


def _submit(candidate: User, campaign: Campaign, capture: Any) -> str:
    application = ready_application(candidate, campaign)
    with capture(execute=True):
        submit(application, by=candidate)
    return application.reference


def test_a_submission_is_delivered_signed(
    nord: Campaign, candidate: User, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint = _endpoint(nord, receiver.url, ["application.submitted"])
    reference = _submit(candidate, nord, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    body = json.loads(got["body"])
    assert body["event"] == "application.submitted"
    assert body["data"]["reference"] == reference
    assert body["data"]["status"] == "submitted"
    assert "email" not in json.dumps(body)
    signature = got["headers"]["Admissions-Signature"]
    assert webhooks.verify(endpoint.secret, signature, got["body"])
    assert not webhooks.verify("another secret", signature, got["body"])
    assert not webhooks.verify(endpoint.secret, signature, got["body"] + b" ")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (delivery.response_status, delivery.response_body) == (200, "answered 200")
    assert got["headers"]["Admissions-Delivery"] == str(delivery.event_id)


def test_an_old_signature_is_refused_by_the_documented_check(nord: Campaign) -> None:
    body = b'{"x":1}'
    now = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    header = webhooks.sign("s3cret", int(now.timestamp()), body)
    assert webhooks.verify("s3cret", header, body, now=now + dt.timedelta(minutes=4))
    assert not webhooks.verify("s3cret", header, body, now=now + dt.timedelta(minutes=6))
    assert not webhooks.verify("s3cret", "t=abc,v1=00", body, now=now)


def test_only_the_events_asked_for_and_of_the_endpoints_institution(
    nord: Campaign,
    bs: Campaign,
    candidate: User,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _endpoint(nord, receiver.url, ["application.complete"])
    _endpoint(bs, receiver.url, ["application.submitted"])
    _submit(candidate, nord, django_capture_on_commit_callbacks)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_failing_endpoint_is_retried_with_back_off_then_delivered(
    nord: Campaign,
    candidate: User,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    clock: time_machine.Coordinates,
) -> None:
    _endpoint(nord, receiver.url, ["application.submitted", "application.complete"])
    receiver.answer = 503
    _submit(candidate, nord, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.QUEUED
    assert (delivery.attempts, delivery.response_status) == (1, 503)
    assert delivery.response_body == "answered 503"
    first_retry = delivery.next_attempt_at
    assert first_retry - dt.datetime.now(dt.UTC) == dt.timedelta(minutes=1)
    # Not due yet: the sweep leaves it.
    assert webhooks.deliver_due() == 0
    clock.shift(dt.timedelta(minutes=4))
    assert webhooks.deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - dt.datetime.now(dt.UTC) == dt.timedelta(minutes=2)
    receiver.answer = 204
    clock.shift(dt.timedelta(minutes=5))
    webhooks.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 3
    # Each attempt is signed afresh, all carry the same delivery id.
    assert len({r["headers"]["Admissions-Delivery"] for r in receiver.received}) == 1


def test_an_endpoint_that_never_answers_ends_failed(
    nord: Campaign,
    candidate: User,
    django_capture_on_commit_callbacks: Any,
    clock: time_machine.Coordinates,
) -> None:
    with Receiver() as gone:
        url = gone.url
    _endpoint(nord, url, ["application.submitted"])
    _submit(candidate, nord, django_capture_on_commit_callbacks)
    for _ in range(webhooks.MAX_ATTEMPTS):
        clock.shift(dt.timedelta(hours=5))
        webhooks.deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.response_status is None
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error


@pytest.mark.parametrize(
    ("action", "event"),
    [
        ("publish_admitted", "decision.published"),
        ("publish_not_admitted", "decision.published"),
        ("confirm", "place.confirmed"),
        ("lapse", "place.released"),
        ("decline", "place.released"),
    ],
)
def test_the_moves_of_the_jury_and_of_confirmation_are_events(action: str, event: str) -> None:
    assert webhooks.EVENT_OF_MOVE[action].value == event


def test_every_mapped_move_exists() -> None:
    assert set(webhooks.EVENT_OF_MOVE) <= set(MOVES)


def test_every_move_that_gives_up_an_offered_or_confirmed_place_is_a_release() -> None:
    released = {
        action
        for action, move in MOVES.items()
        if move.sources & REGISTERING and move.target not in REGISTERING
    }
    assert "withdraw" in released
    for action in released:
        for status in MOVES[action].sources & REGISTERING:
            assert webhooks.event_of(action, status) == WebhookEvent.PLACE_RELEASED, action
    assert webhooks.event_of("withdraw", Status.SUBMITTED) is None


def test_every_move_that_offers_a_place_is_a_decision() -> None:
    for action, move in MOVES.items():
        if move.target in REGISTERING and not move.sources & REGISTERING:
            assert webhooks.EVENT_OF_MOVE.get(action) == WebhookEvent.DECISION_PUBLISHED, action


def test_a_decision_published_through_transition_is_delivered(
    nord: Campaign,
    candidate: User,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _endpoint(nord, receiver.url, ["decision.published"])
    application = ready_application(candidate, nord)
    path = [
        "submit",
        "mark_complete",
        "record_admissible",
        "place_on_agenda",
        "publish_admitted",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for action in path:
            transition(application, action=action, by=None)
    assert [json.loads(r["body"])["data"]["status"] for r in receiver.received] == ["admitted"]


def test_the_documented_check_accepts_our_signature_and_refuses_a_forgery() -> None:
    """The receiver's code printed in docs/api.md, run against what `sign` sends."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    code = text.split("### Checking a signature", 1)[1].split("```python", 1)[1].split("```")[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/api.md", "exec"), namespace)  # noqa: S102 - our own documentation
    is_authentic = namespace["is_authentic"]
    body = b'{"event":"application.submitted"}'
    header = webhooks.sign("s3cret", int(time.time()), body)
    assert is_authentic("s3cret", header, body)
    assert not is_authentic("s3cret", header, body + b" ")
    assert not is_authentic("other", header, body)
    old = webhooks.sign("s3cret", int(time.time()) - 301, body)
    assert not is_authentic("s3cret", old, body)
