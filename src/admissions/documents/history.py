"""The documents side of an application: its locked row, its history, the statuses documents read.

History has one writer, `applications.history.record_event`; every document event goes
through `record` so that the document actions keep one shape.
"""

from __future__ import annotations

from typing import Any

from admissions.applications.history import record_event
from admissions.applications.lifecycle import REGISTERING, TERMINAL, Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.documents import reads
from admissions.people.models import User


def lock_application(application: Application) -> Application:
    """The application row, fresh and locked until the transaction ends.

    Every change of a document holds it, so that an upload and a submission never cross and
    two uploads to one document number their versions one after the other.
    """
    locked = reads.locked_file(application.pk)
    if locked is None:
        raise Application.DoesNotExist("Application matching query does not exist.")
    return locked


def record(
    application: Application, *, action: str, by: User | None, details: dict[str, Any]
) -> ApplicationEvent:
    return record_event(application, action=action, by=by, details=details)


def is_draft(application: Application) -> bool:
    return application.status == Status.DRAFT


def is_sent_back(application: Application) -> bool:
    """Documents were asked again: the candidate replaces what staff did not accept."""
    return application.status == Status.INCOMPLETE


def is_registering(application: Application) -> bool:
    """Admitted (confirmed or not): the pieces asked for registration may be sent."""
    return application.status in REGISTERING


def is_on_condition(application: Application) -> bool:
    """Admitted on condition: the office may ask for the obtained diploma, and it is sent."""
    return application.status in {Status.ADMITTED_CONDITIONALLY, Status.CONFIRMED_CONDITIONALLY}


def is_awaiting_fee(application: Application) -> bool:
    """Submitted on a declared transfer: documents are judged once the fee is in."""
    return application.status == Status.FEE_AWAITED


def is_closed(application: Application) -> bool:
    """No move leaves the file any more (withdrawn, not admitted, declined, lapsed)."""
    return Status(application.status) in TERMINAL
