"""What follows the confirmation window, under each of the rulebook's `after_window` policies:
released at once, released when a waiting candidate needs the place (IMT Nord Europe), kept
until the office releases it (IMT-BS)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.utils import translation

from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign
from admissions.core.errors import NotAllowed
from admissions.notify.models import Notification
from admissions.people.models import Role
from admissions.workflow.confirmation import (
    ConfirmationWindowClosedError,
    NotAdmittedError,
    PlaceNotOverdueError,
    confirm_place,
    confirmation_state,
    lapse_overdue,
    release_place,
)
from admissions.workflow.reminders import remind_confirmations
from admissions.workflow.waitlist import fill_places
from tests.factories import load_preset, staff_member
from tests.workflow.places_helpers import (
    BS_PROGRAMME,
    NORD_PROGRAMME,
    decided,
    paris,
    set_capacity,
    statuses,
)

# Offers made on 12 February (the tests' clock): the window ends with 27 February.
LAST_MOMENT = paris(2024, 2, 27, 23, 59)
TOO_LATE = paris(2024, 2, 28, 0, 0)
Capture = Callable[..., Any]

# A programme's full-time places cost nothing to confirm at IMT-BS; at IMT Nord Europe a
# company-funded place costs the candidate nothing either.
NORD_FUNDED = {"financing_mode": "plan-formation-entreprise"}


def test_each_preset_says_what_follows_its_window(nord: Campaign, bs: Campaign) -> None:
    assert nord.rules.confirmation.after_window == "release_when_needed"
    assert bs.rules.confirmation.after_window == "keep_until_released"


# Released at once ---------------------------------------------------------------------


@pytest.fixture
def at_once(db: None, clock: time_machine.Coordinates) -> Campaign:
    def edit(raw: dict[str, Any]) -> None:
        raw["confirmation"]["after_window"] = "release_at_once"

    campaign = load_preset("imt-nord-europe", edit=edit)
    set_capacity(campaign, NORD_PROGRAMME, 1)
    return campaign


def test_released_at_once_the_place_goes_to_the_best_ranked_waiting_candidate(
    at_once: Campaign,
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    offer = decided(at_once, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    second = decided(at_once, NORD_PROGRAMME, "publish_waitlisted", rank=2, **NORD_FUNDED)
    first = decided(at_once, NORD_PROGRAMME, "publish_waitlisted", rank=1, **NORD_FUNDED)
    assert lapse_overdue(LAST_MOMENT) == []
    clock.move_to(TOO_LATE)
    with django_capture_on_commit_callbacks(execute=True):
        assert lapse_overdue() == [offer.reference]
    assert statuses([offer, first, second]) == [
        Status.LAPSED,
        Status.ADMITTED,
        Status.WAITLISTED,
    ]
    event = first.events.get(action="application.admit_from_waitlist")
    assert event.details["waitlist_rank"] == 1
    assert event.actor is None
    assert Notification.objects.filter(application=first, kind="waitlist_promotion").count() == 1
    # The called candidate's own window starts with the call.
    first.refresh_from_db()
    state = confirmation_state(first, now=TOO_LATE)
    assert state is not None
    assert state.last_day.isoformat() == "2024-03-14"
    with pytest.raises(NotAdmittedError):
        confirm_place(offer, by=offer.candidate)


def test_released_at_once_no_confirmation_after_the_window(at_once: Campaign) -> None:
    offer = decided(at_once, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    with pytest.raises(ConfirmationWindowClosedError):
        confirm_place(offer, by=offer.candidate, now=TOO_LATE)
    assert confirm_place(offer, by=offer.candidate, now=LAST_MOMENT).status == Status.CONFIRMED


# Released when needed (IMT Nord Europe) -------------------------------------------------


def test_when_nobody_waits_the_late_candidate_may_still_confirm(
    nord: Campaign, clock: time_machine.Coordinates
) -> None:
    set_capacity(nord, NORD_PROGRAMME, 1)
    offer = decided(nord, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    clock.move_to(TOO_LATE)
    assert lapse_overdue() == []
    assert fill_places(offer.programme_id, nord.pk).promoted == []
    state = confirmation_state(offer)
    assert state is not None
    assert not state.is_open
    assert state.still_possible
    assert state.can_confirm
    assert confirm_place(offer, by=offer.candidate).status == Status.CONFIRMED
    event = offer.events.get(action="application.confirm")
    assert event.details == {"after_window": True}


def test_when_someone_waits_the_late_place_is_theirs(
    nord: Campaign, clock: time_machine.Coordinates, django_capture_on_commit_callbacks: Capture
) -> None:
    set_capacity(nord, NORD_PROGRAMME, 1)
    offer = decided(nord, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    waiting = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=1, **NORD_FUNDED)
    # Within the window the offer holds the only place: nobody is called.
    assert fill_places(offer.programme_id, nord.pk, now=LAST_MOMENT).promoted == []
    clock.move_to(TOO_LATE)
    # The late candidate cannot take the place the waiting candidate needs.
    with translation.override("en"), pytest.raises(ConfirmationWindowClosedError) as closed:
        confirm_place(offer, by=offer.candidate)
    assert "offered to candidates on the waiting list" in closed.value.message
    with django_capture_on_commit_callbacks(execute=True):
        filled = fill_places(offer.programme_id, nord.pk)
    assert filled.released == [offer.reference]
    assert filled.promoted == [waiting.reference]
    assert statuses([offer, waiting]) == [Status.LAPSED, Status.ADMITTED]
    assert offer.events.get(action="application.lapse").details["why"] == ("needed_by_waiting_list")
    assert Notification.objects.filter(application=offer, kind="place_released").count() == 1
    with pytest.raises(NotAdmittedError):
        confirm_place(offer, by=offer.candidate)


def test_when_needed_only_as_many_late_offers_go_as_candidates_wait(
    nord: Campaign, clock: time_machine.Coordinates
) -> None:
    set_capacity(nord, NORD_PROGRAMME, 2)
    early = decided(nord, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    clock.move_to(paris(2024, 2, 13, 9))
    later = decided(nord, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    waiting = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=1, **NORD_FUNDED)
    clock.move_to(paris(2024, 3, 1, 9))
    filled = fill_places(early.programme_id, nord.pk)
    # The offer whose window ended first goes; the other candidate keeps the right.
    assert filled.released == [early.reference]
    assert statuses([early, later, waiting]) == [Status.LAPSED, Status.ADMITTED, Status.ADMITTED]
    assert confirm_place(later, by=later.candidate).status == Status.CONFIRMED


# Kept until the office releases it (IMT-BS) --------------------------------------------


def test_a_kept_place_waits_for_the_office(
    bs: Campaign, clock: time_machine.Coordinates, django_capture_on_commit_callbacks: Capture
) -> None:
    set_capacity(bs, BS_PROGRAMME, 1)
    offer = decided(bs, BS_PROGRAMME, "publish_admitted")
    waiting = decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=1)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    with translation.override("en"), pytest.raises(PlaceNotOverdueError) as early:
        release_place(offer, by=officer, now=LAST_MOMENT)
    assert "until midnight on" in early.value.message
    clock.move_to(TOO_LATE)
    assert lapse_overdue() == []
    assert fill_places(offer.programme_id, bs.pk).promoted == []
    assert statuses([offer, waiting]) == [Status.ADMITTED, Status.WAITLISTED]
    offer.refresh_from_db()
    state = confirmation_state(offer)
    assert state is not None
    assert state.still_possible
    outsider = staff_member(
        Role.ADMISSIONS_OFFICER, institution=load_preset("imt-nord-europe").institution
    )
    with pytest.raises(NotAllowed):
        release_place(offer, by=outsider)
    with pytest.raises(NotAllowed):
        release_place(offer, by=offer.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        release_place(offer, by=officer)
    assert statuses([offer, waiting]) == [Status.LAPSED, Status.ADMITTED]
    event = offer.events.get(action="application.lapse")
    assert event.actor == officer
    assert event.details["why"] == "released_by_staff"
    with pytest.raises(NotAdmittedError):
        release_place(offer, by=officer)


def test_a_kept_place_may_be_confirmed_late_until_it_is_released(
    bs: Campaign, clock: time_machine.Coordinates
) -> None:
    offer = decided(bs, BS_PROGRAMME, "publish_admitted")
    decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=1)
    clock.move_to(TOO_LATE)
    assert confirm_place(offer, by=offer.candidate).status == Status.CONFIRMED


# Reminders ------------------------------------------------------------------------------


def test_reminders_follow_the_rulebook_days_once_each(
    db: None, clock: time_machine.Coordinates
) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["confirmation"]["reminder_days"] = [3]

    campaign = load_preset("imt-nord-europe", edit=edit)
    offer = decided(campaign, NORD_PROGRAMME, "publish_admitted")
    assert remind_confirmations(paris(2024, 2, 24, 9)) == 0  # 3 days and 15 hours left
    assert remind_confirmations(paris(2024, 2, 25, 9)) == 1
    assert remind_confirmations(paris(2024, 2, 25, 21)) == 0
    assert remind_confirmations(paris(2024, 2, 27, 21)) == 0  # no 1-day reminder here
    reminders = Notification.objects.filter(application=offer, kind="confirmation_reminder")
    assert reminders.count() == 1
