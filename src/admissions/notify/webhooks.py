"""Webhooks: a move of a file becomes an event, delivered to every endpoint that wants it.

Each delivery is a row, written when the move has committed and sent by a task, then
retried with the emails' back-off (1, 2, 4... minutes, at most four hours) until the
endpoint answers 2xx or `MAX_ATTEMPTS` are spent; the periodic sweep sends what no task
took. The body is signed: `Admissions-Signature: t=<unix time>,v1=<hex>` where the hex is
HMAC-SHA256, keyed with the endpoint's secret, of `<unix time>.<body>`. A receiver checks it
and refuses a time more than `REPLAY_WINDOW` away from its clock (docs/api.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task, task_backends

from admissions.applications.lifecycle import REGISTERING
from admissions.applications.models import Application
from admissions.applications.signals import Moved
from admissions.core.errors import ValidationFailed
from admissions.notify.delivery import delay_after
from admissions.notify.webhook_models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Admissions-Signature"
REPLAY_WINDOW = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 10
CLAIM = dt.timedelta(minutes=2)
KEPT_RESPONSE = 2000
SWEEP_BATCH = 200
GRACE = dt.timedelta(minutes=2)
# Files read at once when a batch of moves becomes deliveries.
EVENTS_CHUNK = 1000

# The moves of applications/lifecycle.py that integrators hear about.
EVENT_OF_MOVE: dict[str, WebhookEvent] = {
    "submit": WebhookEvent.SUBMITTED,
    "submit_awaiting_fee": WebhookEvent.SUBMITTED,
    "mark_complete": WebhookEvent.COMPLETE,
    "publish_admitted": WebhookEvent.DECISION_PUBLISHED,
    "publish_admitted_conditionally": WebhookEvent.DECISION_PUBLISHED,
    "publish_waitlisted": WebhookEvent.DECISION_PUBLISHED,
    "publish_not_admitted": WebhookEvent.DECISION_PUBLISHED,
    # A call from the waiting list is the candidate's new decision.
    "admit_from_waitlist": WebhookEvent.DECISION_PUBLISHED,
    "admit_from_waitlist_conditionally": WebhookEvent.DECISION_PUBLISHED,
    "confirm": WebhookEvent.PLACE_CONFIRMED,
    "confirm_conditionally": WebhookEvent.PLACE_CONFIRMED,
    "decline": WebhookEvent.PLACE_RELEASED,
    "lapse": WebhookEvent.PLACE_RELEASED,
    "lapse_condition": WebhookEvent.PLACE_RELEASED,
    "release_visa_refused": WebhookEvent.PLACE_RELEASED,
}


def event_of(action: str, from_status: str) -> WebhookEvent | None:
    """The event a move is to integrators; withdrawing gives up a place only from an
    admitted or confirmed file."""
    if action == "withdraw" and from_status in REGISTERING:
        return WebhookEvent.PLACE_RELEASED
    return EVENT_OF_MOVE.get(action)


def new_secret() -> str:
    return secrets.token_hex(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: dt.datetime | None = None) -> bool:
    """What a receiver does (kept here to test the documented recipe against `sign`)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    moment = (now or timezone.now()).timestamp()
    if abs(moment - timestamp) > REPLAY_WINDOW.total_seconds():
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def on_status_changed(
    sender: Any,
    *,
    application_id: int,
    action: str,
    from_status: str,
    to_status: str,
    **kwargs: Any,
) -> None:
    """Receiver of `applications.signals.status_changed` (connected in NotifyConfig.ready)."""
    if kwargs.get("in_bulk"):
        return  # `on_statuses_changed` took the whole batch
    queue_events([Moved(application_id, action, from_status, to_status, None)])


def on_statuses_changed(sender: Any, *, moves: list[Moved], **_: Any) -> None:
    """Receiver of `applications.signals.statuses_changed`: a batch of moves at once."""
    queue_events(moves)


def queue_events(moves: list[Moved]) -> None:
    """A delivery for each move and each endpoint of its institution that wants its event.

    A few queries for a whole batch, whatever its size: a publication of 10,000 decisions
    reads the endpoints once, and nothing more when no institution has one."""
    events: dict[int, tuple[Moved, WebhookEvent]] = {}
    for moved in moves:
        event = event_of(moved.action, moved.from_status)
        if event is not None:
            events[moved.application_id] = (moved, event)
    if not events:
        return
    endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in WebhookEndpoint.objects.filter(active=True):
        endpoints[endpoint.institution_id].append(endpoint)
    if not endpoints:
        return
    now = timezone.now()
    ids = list(events)
    created: list[WebhookDelivery] = []
    for start in range(0, len(ids), EVENTS_CHUNK):
        rows: list[WebhookDelivery] = []
        applications = (
            Application.objects.filter(
                pk__in=ids[start : start + EVENTS_CHUNK],
                campaign__institution_id__in=list(endpoints),
            )
            .select_related("campaign", "programme", "campaign__institution")
            .only(
                "reference",
                "campaign__slug",
                "campaign__institution__slug",
                "programme__slug",
            )
            .order_by("pk")
        )
        for application in applications:
            moved, event = events[application.pk]
            data = {
                "reference": application.reference,
                "institution": application.campaign.institution.slug,
                "campaign": application.campaign.slug,
                "programme": application.programme.slug,
                "action": moved.action,
                "from_status": moved.from_status,
                "status": moved.to_status,
            }
            for endpoint in endpoints[application.campaign.institution_id]:
                if event.value not in endpoint.events:
                    continue
                event_id = uuid.uuid4()
                rows.append(
                    WebhookDelivery(
                        endpoint=endpoint,
                        event=event.value,
                        event_id=event_id,
                        payload={
                            "id": str(event_id),
                            "event": event.value,
                            "created_at": now.isoformat(),
                            "data": data,
                        },
                        next_attempt_at=now,
                    )
                )
        created += WebhookDelivery.objects.bulk_create(rows)
    for delivery in created:
        try:
            schedule(delivery.pk)
        except Exception:
            logger.exception("could not schedule webhook delivery %s", delivery.pk)


def claimable(moment: dt.datetime) -> Q:
    return Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=moment) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=moment
    )


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status, body excerpt, error) of one attempt; never raises for the network."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(timezone.now().timestamp())
    request = urllib.request.Request(  # noqa: S310 - an http(s) URL checked at registration
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Admissions-Webhooks/1",
            "Admissions-Event": delivery.event,
            "Admissions-Delivery": str(delivery.event_id),
            SIGNATURE_HEADER: sign(delivery.endpoint.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return answer.status, answer.read(KEPT_RESPONSE).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as error:
        excerpt = error.read(KEPT_RESPONSE).decode("utf-8", "replace")
        return error.code, excerpt, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, "", f"{type(error).__name__}: {error}"[:KEPT_RESPONSE]


def deliver(delivery_id: int, *, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """One attempt of a due delivery; None when it was not due or another worker took it."""
    moment = now or timezone.now()
    taken = WebhookDelivery.objects.filter(claimable(moment), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_until=moment + CLAIM, attempts=F("attempts") + 1
    )
    if taken != 1:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    status, excerpt, error = _post(delivery)
    fields: dict[str, Any] = {
        "claimed_until": None,
        "response_status": status,
        "response_body": excerpt,
        "last_error": error,
    }
    if status is not None and 200 <= status < 300:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now())
    elif delivery.attempts >= MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.FAILED)
    else:
        fields.update(
            status=DeliveryStatus.QUEUED,
            next_attempt_at=timezone.now() + delay_after(delivery.attempts),
        )
    WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts
    ).update(**fields)
    delivery.refresh_from_db()
    return delivery


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = deliver(delivery_id)
    if delivery is not None and delivery.status == DeliveryStatus.QUEUED:
        schedule(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery.status if delivery is not None else "skipped"


def schedule(delivery_id: int, *, run_after: dt.datetime | None = None) -> None:
    if run_after is not None and not task_backends[deliver_webhook.backend].supports_defer:
        return  # the periodic sweep sends it when it is due
    runner = deliver_webhook.using(run_after=run_after) if run_after else deliver_webhook
    runner.enqueue(delivery_id)


def deliver_due(now: dt.datetime | None = None) -> int:
    """The periodic sweep: attempt every due delivery that no task took."""
    moment = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(claimable(moment - GRACE))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        deliver(pk, now=moment)
    return len(due)


def redeliver(delivery: WebhookDelivery) -> None:
    """Staff ask for a failed delivery to be tried again now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.QUEUED, next_attempt_at=timezone.now(), attempts=0
    )
    schedule(delivery.pk)


def register_endpoint(
    *,
    institution: Any,
    url: str,
    events: list[str],
    by: Any,
    description: str = "",
) -> WebhookEndpoint:
    """A new endpoint of `institution`; its secret is made here and shown to its author."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(
            _("Enter an http:// or https:// address."), details=[{"field": "url"}]
        )
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if not events or unknown:
        raise ValidationFailed(
            _("Choose at least one event among: %(events)s.")
            % {"events": ", ".join(WebhookEvent.values)},
            details=[{"field": "events", "choices": list(WebhookEvent.values)}],
        )
    return WebhookEndpoint.objects.create(
        institution=institution,
        url=url,
        events=sorted(set(events)),
        description=description[:200],
        secret=new_secret(),
        created_by=by,
    )


def disable_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.active = False
    endpoint.save(update_fields=["active"])
    return endpoint
