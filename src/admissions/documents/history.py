"""The documents side of an application: its row, its history, the statuses documents read.

`documents` sits below `applications`: it names the Application model as a string and never
imports the applications package at module level. History still has one writer,
`applications.history.record_event`, imported inside the function that calls it, so the
import runs only once both apps are loaded. Every document event goes through `record`.
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


def lock_application(application: Application) -> Application:
    """The application row, fresh and locked until the transaction ends.

    Every change of a document holds it, so that an upload and a submission never cross and
    two uploads to one document number their versions one after the other.
    """
    return (
        application_model()
        # Only the file's row: the related rows are read, not held.
        .objects.select_for_update(of=("self",))
        .select_related("campaign", "programme", "programme__institution", "candidate")
        .defer(*without_rulebooks("campaign", "programme__institution"))
        .get(pk=application.pk)
    )


def record(
    application: Application, *, action: str, by: User | None, details: dict[str, Any]
) -> None:
    from admissions.applications.history import record_event

    record_event(application, action=action, by=by, details=details)


def is_draft(application: Application) -> bool:
    from admissions.applications.lifecycle import Status

    return application.status == Status.DRAFT


def is_sent_back(application: Application) -> bool:
    """Documents were asked again: the candidate replaces what staff did not accept."""
    from admissions.applications.lifecycle import Status

    return application.status == Status.INCOMPLETE


def is_closed(application: Application) -> bool:
    """No move leaves the file any more (withdrawn, not admitted, declined, lapsed)."""
    from admissions.applications.lifecycle import TERMINAL, Status

    return Status(application.status) in TERMINAL
