"""The lines an email writes in its file's history: queued, sent, failed, bounced, resent.

The candidate's status page shows those of their own emails (not the queueing, and never
the staff's); the staff's page of the file shows them all.
"""

from __future__ import annotations

from typing import Any

from admissions.applications.history import Batch, record_event
from admissions.notify.models import Notification
from admissions.people.models import User


def record(
    notification: Notification,
    action: str,
    *,
    by: User | None,
    batch: Batch | None = None,
    **extra: Any,
) -> None:
    """The file's history line of an email (emails about no file have none); with `batch`,
    written with the batch's lines."""
    if notification.application_id is None:
        return
    details = {
        "notification": notification.pk,
        "kind": notification.kind,
        "audience": notification.audience,
        "to": notification.to_address,
        "subject": notification.subject,
        **extra,
    }
    if batch is not None:
        batch.event(notification.application, action=action, by=by, details=details)  # type: ignore[arg-type]
        return
    record_event(notification.application, action=action, by=by, details=details)  # type: ignore[arg-type]


def record_status(notification: Notification, action: str, **extra: Any) -> None:
    record(notification, action, by=None, **extra)
