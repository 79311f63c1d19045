"""The payments side of an application's history.

`payments` sits below `applications`: it names the Application model as a string and never
imports the applications package at module level. History still has one writer,
`applications.history.record_event`, imported here inside the functions that call it, so the
import runs only once both apps are loaded. Everything in payments that changes money on a
file goes through `record` below.

Higher layers hear about money through the `payment_recorded` signal (see signals.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps

from admissions.catalog.models import without_rulebooks

if TYPE_CHECKING:
    from admissions.applications.models import Application
    from admissions.people.models import User


def application_model() -> type[Application]:
    return apps.get_model("applications", "Application")


def lock_application(application_id: int) -> Application:
    """The application row, locked until the transaction ends (serialises money moves).

    Only that row: its programme and campaign are read, not held, so that moves on files of
    one campaign do not wait for each other.
    """
    model = application_model()
    return (
        model.objects.select_for_update(of=("self",))
        .select_related("programme", "campaign")
        .defer(*without_rulebooks("campaign"))
        .get(pk=application_id)
    )


def record(
    application: Application, *, action: str, by: User | None, details: dict[str, Any]
) -> None:
    from admissions.applications.history import record_event

    record_event(application, action=action, by=by, details=details)


def is_withdrawn(application: Application) -> bool:
    from admissions.applications.lifecycle import Status

    return application.status == Status.WITHDRAWN
