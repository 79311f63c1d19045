"""The waiting list: a place given up goes to the best-ranked waiting candidate, never beyond
the programme's capacity, even when confirmations, declines and expiries meet."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.notify.models import Notification
from admissions.workflow.confirmation import confirm_place, decline_place, lapse_overdue
from admissions.workflow.drafts import withdraw
from admissions.workflow.waitlist import fill_all, fill_places, movements, position
from tests.factories import load_preset
from tests.workflow.places_helpers import (
    BS_PROGRAMME,
    NORD_PROGRAMME,
    decided,
    holding,
    paris,
    set_capacity,
    statuses,
)

Capture = Callable[..., Any]
NORD_FUNDED = {"financing_mode": "plan-formation-entreprise"}


def test_a_declined_place_goes_to_the_best_rank_and_no_further(
    bs: Campaign, django_capture_on_commit_callbacks: Capture
) -> None:
    set_capacity(bs, BS_PROGRAMME, 2)
    offers = [decided(bs, BS_PROGRAMME, "publish_admitted") for _ in range(2)]
    third = decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=3)
    first = decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=1)
    unranked = decided(bs, BS_PROGRAMME, "publish_waitlisted")
    second = decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=2)
    assert [position(f) for f in (first, second, third, unranked)] == [1, 2, 3, 4]
    # Full: nobody is called.
    assert fill_places(first.programme_id, bs.pk).promoted == []
    with django_capture_on_commit_callbacks(execute=True):
        decline_place(offers[0], by=offers[0].candidate, reason="Une autre école")
    assert statuses([first, second, third, unranked]) == [
        Status.ADMITTED,
        Status.WAITLISTED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    second.refresh_from_db()
    assert position(second) == 1
    assert holding(bs, BS_PROGRAMME) == 2
    assert Notification.objects.filter(application=first, kind="waitlist_promotion").count() == 1
    # A confirmed candidate who withdraws frees a place too.
    confirm_place(offers[1], by=offers[1].candidate)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(offers[1], by=offers[1].candidate)
    assert statuses([second, third]) == [Status.ADMITTED, Status.WAITLISTED]
    assert holding(bs, BS_PROGRAMME) == 2
    moves = [event.action for event in movements(first.programme_id, bs.pk)]
    assert moves.count("application.admit_from_waitlist") == 2
    assert "application.decline" in moves


def test_a_waiting_candidate_who_declines_calls_nobody(
    bs: Campaign, django_capture_on_commit_callbacks: Capture
) -> None:
    set_capacity(bs, BS_PROGRAMME, 1)
    decided(bs, BS_PROGRAMME, "publish_admitted")
    first = decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=1)
    second = decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=2)
    with django_capture_on_commit_callbacks(execute=True):
        decline_place(first, by=first.candidate)
    assert statuses([first, second]) == [Status.DECLINED, Status.WAITLISTED]
    second.refresh_from_db()
    assert position(second) == 1


def test_a_file_waitlisted_on_condition_is_called_on_condition(
    nord: Campaign, django_capture_on_commit_callbacks: Capture
) -> None:
    set_capacity(nord, NORD_PROGRAMME, 1)
    offer = decided(nord, NORD_PROGRAMME, "publish_admitted", **NORD_FUNDED)
    waiting = decided(
        nord,
        NORD_PROGRAMME,
        "publish_waitlisted",
        rank=1,
        details={"condition": "diploma"},
        **NORD_FUNDED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        decline_place(offer, by=offer.candidate)
    assert statuses([waiting]) == [Status.ADMITTED_CONDITIONALLY]


def test_the_periodic_job_fills_places_left_free(bs: Campaign) -> None:
    set_capacity(bs, BS_PROGRAMME, 2)
    decided(bs, BS_PROGRAMME, "publish_admitted")
    waiting = [decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=r) for r in (1, 2)]
    assert fill_all() == [waiting[0].reference]
    assert fill_all() == []


# Concurrency, on PostgreSQL -------------------------------------------------------------


def _run_together(actions: list[Callable[[], object]]) -> list[BaseException]:
    barrier = threading.Barrier(len(actions), timeout=20)
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_confirmations_declines_and_expiries_at_once_never_exceed_capacity(
    database_engine: str, clock: time_machine.Coordinates
) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["confirmation"]["after_window"] = "release_at_once"

    campaign = load_preset("imt-bs", edit=edit)
    set_capacity(campaign, BS_PROGRAMME, 4)
    # Two offers made early (their window is over by the time of the race), two later.
    late = [decided(campaign, BS_PROGRAMME, "publish_admitted") for _ in range(2)]
    clock.move_to(paris(2024, 2, 20, 9))
    running = [decided(campaign, BS_PROGRAMME, "publish_admitted") for _ in range(2)]
    waiting = [decided(campaign, BS_PROGRAMME, "publish_waitlisted", rank=r) for r in range(1, 7)]
    clock.move_to(paris(2024, 2, 29, 9))
    # The moves commit for real: each release calls the waiting list from its own receiver.
    errors = _run_together(
        [
            lambda: confirm_place(
                Application.objects.get(pk=running[0].pk), by=running[0].candidate
            ),
            lambda: decline_place(
                Application.objects.get(pk=running[1].pk), by=running[1].candidate
            ),
            lambda: lapse_overdue(),
            lambda: fill_all(),
            lambda: fill_all(),
            lambda: decline_place(
                Application.objects.get(pk=waiting[0].pk), by=waiting[0].candidate
            ),
        ]
    )
    assert errors == []
    # Catch up anything a receiver left (it runs after its move's commit).
    fill_all()
    assert statuses(late) == [Status.LAPSED, Status.LAPSED]
    assert statuses(running) == [Status.CONFIRMED, Status.DECLINED]
    assert holding(campaign, BS_PROGRAMME) == 4
    # Three places were given up; the candidate ranked first declined; ranks 2-4 were called.
    assert statuses(waiting) == [
        Status.DECLINED,
        Status.ADMITTED,
        Status.ADMITTED,
        Status.ADMITTED,
        Status.WAITLISTED,
        Status.WAITLISTED,
    ]
    for application in waiting[1:4]:
        assert application.events.filter(action="application.admit_from_waitlist").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_releases_call_one_candidate_each(
    database_engine: str, clock: time_machine.Coordinates
) -> None:
    campaign = load_preset("imt-bs")
    set_capacity(campaign, BS_PROGRAMME, 5)
    offers = [decided(campaign, BS_PROGRAMME, "publish_admitted") for _ in range(5)]
    waiting = [decided(campaign, BS_PROGRAMME, "publish_waitlisted", rank=r) for r in range(1, 9)]
    actions: list[Callable[[], object]] = [
        (lambda f=f: decline_place(Application.objects.get(pk=f.pk), by=f.candidate))
        for f in offers[:4]
    ]
    actions += [
        lambda: fill_places(offers[0].programme_id, campaign.pk),
        lambda: fill_places(offers[0].programme_id, campaign.pk),
    ]
    assert _run_together(actions) == []
    fill_all()
    assert holding(campaign, BS_PROGRAMME) == 5
    assert statuses(waiting) == [Status.ADMITTED] * 4 + [Status.WAITLISTED] * 4
