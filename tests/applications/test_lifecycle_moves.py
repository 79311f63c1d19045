"""Every move of the life cycle table, tried from every status: allowed where the table says,
refused elsewhere, and each allowed move recorded in the file's history."""

from __future__ import annotations

import pytest
import time_machine

from admissions.applications.history import transition
from admissions.applications.lifecycle import MOVES, Status, allowed_actions
from admissions.applications.models import Application, ApplicationEvent
from admissions.core.errors import IllegalTransition
from admissions.people.models import Role
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    staff_member,
)


@pytest.mark.django_db
@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
@pytest.mark.parametrize("action", list(MOVES))
def test_each_move_from_each_status(action: str) -> None:
    campaign = load_preset("imt-nord-europe")
    application = draft(eligible_candidate(), campaign, programme_of(campaign))
    actor = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    move = MOVES[action]
    for status in Status:
        Application.objects.filter(pk=application.pk).update(status=status)
        ApplicationEvent.objects.filter(application=application).delete()
        if status in move.sources:
            assert action in allowed_actions(status)
            moved = transition(application, action=action, by=actor)
            assert moved.status == move.target
            event = ApplicationEvent.objects.get(application=application)
            assert (event.action, event.actor, event.from_status, event.to_status) == (
                f"application.{action}",
                actor,
                status.value,
                move.target.value,
            )
        else:
            assert action not in allowed_actions(status)
            with pytest.raises(IllegalTransition):
                transition(application, action=action, by=actor)
            application.refresh_from_db()
            assert application.status == status
            assert not ApplicationEvent.objects.filter(application=application).exists()


def test_a_booking_cancelled_waits_for_another() -> None:
    assert MOVES["cancel_interview"].sources == {Status.INTERVIEW_SCHEDULED}
    assert MOVES["cancel_interview"].target == Status.ADMISSIBLE


def test_a_no_show_is_not_an_interview() -> None:
    assert MOVES["record_no_show"].sources == {Status.INTERVIEW_SCHEDULED}
    assert MOVES["record_no_show"].target == Status.ADMISSIBLE
    assert MOVES["record_interview"].target == Status.INTERVIEWED
