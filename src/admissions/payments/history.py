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
from admissions.catalog.models import Programme, without_rulebooks
from admissions.people.models import User


def lock_application(application_id: int) -> Application:
    """The application row, locked until the transaction ends (serialises money moves).

    The programme's row is taken first, as `applications.history.transition` takes it before
    the file's: the fee totals (`fee_totals`) are written after the entry, and a transaction
    that writes entries for several files then meets no other in the opposite order. The
    programme is held "for no key update": it does not stop reads, nor rows that refer to it.
    The campaign is read, not held.
    """
    list(
        Programme.objects.select_for_update(no_key=True)
        .filter(pk__in=Application.objects.filter(pk=application_id).values("programme_id"))
        .values("pk")
    )
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
