"""The delivery task, its scheduling, and the sweep that picks up what a task left behind.

A row is scheduled once its transaction commits (`outbox.enqueue`); a failed attempt is
scheduled again at its back-off time when the task backend can defer (database, RQ).
`deliver_due`, one of the periodic jobs, schedules every row whose time has come and that
no task took: after a backend that cannot defer, a lost task or a worker that died.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task, task_backends

from admissions.core.deferred_writes import DeferredWrites
from admissions.core.queued_tasks import enqueue_with_transaction
from admissions.notify import delivery
from admissions.notify.models import Notification

logger = logging.getLogger(__name__)

# Rows younger than this are left to the task their commit scheduled.
GRACE = dt.timedelta(minutes=2)
SWEEP_BATCH = 500


@task()
def deliver_notification(notification_id: int) -> str:
    outcome = delivery.deliver(notification_id)
    if outcome.retry_at is not None:
        schedule(notification_id, run_after=outcome.retry_at)
    return str(outcome.status or "skipped")


def schedule(notification_id: int, *, run_after: dt.datetime | None = None) -> None:
    if run_after is not None and not task_backends[deliver_notification.backend].supports_defer:
        return  # the sweep of the periodic jobs sends it when it is due
    runner = deliver_notification.using(run_after=run_after) if run_after else deliver_notification
    runner.enqueue(notification_id)


def schedule_with_transaction(notification_id: int, writes: DeferredWrites | None = None) -> None:
    """Schedule a row written by the current transaction, to run once it commits (with
    the database's queue, its task's row is written in the same transaction, with `writes`
    when given)."""
    enqueue_with_transaction(deliver_notification, notification_id, writes=writes)


def deliver_due(now: dt.datetime | None = None) -> int:
    """Schedule the rows that are due and left behind; returns how many."""
    moment = now or timezone.now()
    due = list(
        Notification.objects.filter(delivery.claimable(moment - GRACE))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        try:
            schedule(pk)
        except Exception:
            # The queue itself is down: send from here rather than wait for it.
            logger.exception("could not schedule email %s; sending it now", pk)
            delivery.deliver(pk, now=moment)
    return len(due)


# Emails queued in bulk are delivered by tasks of this many rows each.
DELIVERY_BATCH = 100


@task()
def deliver_notifications(notification_ids: list[int]) -> str:
    """Deliver a batch of emails queued together, each as `deliver_notification` would."""
    outcomes = [deliver_notification.call(pk) for pk in notification_ids]
    return f"{len(outcomes)} emails: {', '.join(sorted(set(outcomes)))}"


def schedule_many(notification_ids: list[int]) -> None:
    """Schedule emails queued in bulk: one task per batch instead of one per email."""
    for start in range(0, len(notification_ids), DELIVERY_BATCH):
        deliver_notifications.enqueue(notification_ids[start : start + DELIVERY_BATCH])
