"""What the staff's file page shows past the jury: the offer's window, the place on the
waiting list, the condition of the admission, the visa steps."""

from __future__ import annotations

from dataclasses import dataclass

from admissions.applications.lifecycle import REGISTERING, Status
from admissions.applications.models import Application
from admissions.people.models import User
from admissions.people.permissions import can_act_on_programme
from admissions.workflow import conditions, confirmation, international, waitlist
from admissions.workflow.conditions import Condition
from admissions.workflow.confirmation import ConfirmationState
from admissions.workflow.international import VisaSteps

AFTER_JURY = frozenset({*REGISTERING, Status.WAITLISTED, Status.WITHDRAWN})


@dataclass(frozen=True)
class AfterJury:
    confirmation: ConfirmationState | None
    waitlist_position: int | None
    condition: Condition | None
    visa: VisaSteps | None
    may_act: bool


def after_jury(application: Application, user: User) -> AfterJury | None:
    """What the file page shows past the jury; None (and no query) before it."""
    if application.status not in AFTER_JURY:
        return None
    return AfterJury(
        confirmation=confirmation.confirmation_state(application),
        waitlist_position=waitlist.position(application),
        condition=conditions.condition_of(application),
        visa=international.steps_of(application),
        may_act=can_act_on_programme(user, application.programme_id, conditions.LIFTERS),
    )
