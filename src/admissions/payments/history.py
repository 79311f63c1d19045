"""The payments side of an application's history.

History has one writer, `applications.history.record_event`; everything in payments that
changes money on a file goes through `record` below. Higher layers hear about money through
the `payment_recorded` signal (see signals.py).
"""

from __future__ import annotations

from typing import Any

from admissions.applications.history import record_event, record_events
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import without_rulebooks
from admissions.people.models import User


def lock_application(application_id: int) -> Application:
    """The application row, locked until the transaction ends (serialises money moves).

    Only that row: its programme and campaign are read, not held, so that moves on files of
    one campaign do not wait for each other.
    """
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("programme", "campaign")
        .defer(*without_rulebooks("campaign"))
        .get(pk=application_id)
    )


def record(
    application: Application, *, action: str, by: User | None, details: dict[str, Any]
) -> None:
    record_event(application, action=action, by=by, details=details)


def is_withdrawn(application: Application) -> bool:
    return application.status == Status.WITHDRAWN


def record_many(rows: list[tuple[int, str, dict[str, Any]]], *, by: User | None) -> None:
    """Many files' history lines at once: (application id, action, details)."""
    record_events(
        [
            ApplicationEvent(application_id=pk, actor=by, action=action, details=details)
            for pk, action, details in rows
        ]
    )
