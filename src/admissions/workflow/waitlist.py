"""The waiting list: a place given up goes to the best-ranked waiting candidate.

`fill_places` calls, under the programme's lock, as many of the programme's waiting
candidates as `rules.places.calls` allows, best rank first (`Application.waitlist_rank`, the
jury's rank; equal or missing ranks by file number). Where the rulebook releases an overdue
offer only when someone waits for it, the overdue offers it releases lapse in the same
transaction, the earliest deadline first. Each call is the `admit_from_waitlist` move (or
`admit_from_waitlist_conditionally` when the jury waitlisted the file on a condition), with
its email; the offer's window starts with it, and `confirmation.charge_on_admission` charges
what confirming costs, as for any admission.

It runs after every move that gives a place up (a receiver of `status_changed`), and as a
periodic job that catches windows ending without any move and places the jury left free.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.signals import status_changed
from admissions.catalog.models import Campaign, without_rulebooks
from admissions.notify.decision_emails import send_waitlist_promotion
from admissions.rules.places import Places, calls
from admissions.workflow.confirmation import (
    confirmation_deadline,
    last_day,
    release_overdue,
)
from admissions.workflow.places import count_places, lock_programme, offers, policy_of

logger = logging.getLogger(__name__)

# The moves after which a place may be free. A file put on the list calls nobody by itself:
# a jury publishing its decisions one by one would otherwise see places still free.
CALLING_STATUSES = frozenset({Status.DECLINED, Status.LAPSED, Status.WITHDRAWN})
# What the staff's page lists as the list's movements.
MOVEMENTS = (
    "application.publish_waitlisted",
    "application.admit_from_waitlist",
    "application.admit_from_waitlist_conditionally",
    "application.decline",
    "application.withdraw",
    "application.lapse",
    "application.lapse_condition",
)


def ranked(programme_id: int, campaign_id: int) -> QuerySet[Application]:
    """The programme's waiting files, the best rank first."""
    return Application.objects.filter(
        programme_id=programme_id, campaign_id=campaign_id, status=Status.WAITLISTED
    ).order_by(F("waitlist_rank").asc(nulls_last=True), "pk")


def position(application: Application) -> int | None:
    """The file's place in its programme's waiting list (1: called first), or None."""
    if application.status != Status.WAITLISTED:
        return None
    ahead = ranked(application.programme_id, application.campaign_id)
    if application.waitlist_rank is None:
        ahead = ahead.filter(waitlist_rank__isnull=True, pk__lt=application.pk)
        before = ranked(application.programme_id, application.campaign_id).filter(
            waitlist_rank__isnull=False
        )
        return before.count() + ahead.count() + 1
    better = ahead.filter(waitlist_rank__lt=application.waitlist_rank) | ahead.filter(
        waitlist_rank=application.waitlist_rank, pk__lt=application.pk
    )
    return better.count() + 1


def on_condition(application: Application) -> bool:
    """Whether the jury put the file on the list on a condition (a diploma to obtain)."""
    event = (
        application.events.filter(action="application.publish_waitlisted")
        .order_by("-at", "-id")
        .first()
    )
    return bool(event and isinstance(event.details, dict) and event.details.get("condition"))


@dataclass(frozen=True)
class Filled:
    promoted: list[str]
    released: list[str]


def fill_places(programme_id: int, campaign_id: int, *, now: dt.datetime | None = None) -> Filled:
    """Call the waiting candidates the programme has room for; safe to run at any time."""
    moment = now or timezone.now()
    promoted: list[str] = []
    released: list[str] = []
    with transaction.atomic():
        programme = lock_programme(programme_id)
        campaign = Campaign.objects.get(pk=campaign_id)
        policy = policy_of(campaign)
        running = offers(programme_id, campaign)
        places = count_places(programme, campaign, now=moment, found=running)
        wanted = calls(policy, places)
        if wanted.promote == 0:
            return Filled([], [])
        overdue = [offer for offer in running if offer.overdue(moment)]
        for offer in overdue[: wanted.release_overdue]:
            if release_overdue(offer.application_id, why="needed_by_waiting_list", now=moment):
                released.append(offer.reference)
        # Released offers that moved on meanwhile (confirmed: not possible under our lock)
        # leave fewer places: count again rather than trust the plan.
        room = min(wanted.promote, places.free + len(released))
        for _ in range(room):
            called = _call_next(programme_id, campaign_id, places, len(promoted))
            if called is None:
                break
            promoted.append(called)
    if promoted or released:
        logger.info("waiting list: called %s, released %s", promoted, released)
    return Filled(promoted, released)


def _next_waiting(programme_id: int, campaign_id: int) -> Application | None:
    # On PostgreSQL a row that a decline or withdrawal moves meanwhile is read again once
    # that commits, and dropped if no longer waiting: then the next one is asked for.
    for _ in range(5):
        candidate = (
            ranked(programme_id, campaign_id)
            .select_for_update(of=("self",))
            .select_related("campaign", "programme", "candidate")
            .defer(*without_rulebooks("campaign"))
            .first()
        )
        if candidate is not None or not ranked(programme_id, campaign_id).exists():
            return candidate
    return None


def _call_next(programme_id: int, campaign_id: int, places: Places, called: int) -> str | None:
    candidate = _next_waiting(programme_id, campaign_id)
    if candidate is None:
        return None
    action = (
        "admit_from_waitlist_conditionally" if on_condition(candidate) else "admit_from_waitlist"
    )
    transition(
        candidate,
        action=action,
        by=None,
        details={
            "waitlist_rank": candidate.waitlist_rank,
            "places": {
                "capacity": places.capacity,
                "confirmed": places.confirmed,
                "offered": places.open + places.overdue,
            },
            "called": called + 1,
        },
    )
    send_waitlist_promotion(
        candidate,
        event=f"application:{candidate.pk}:called",
        confirm_by=last_day(confirmation_deadline(candidate)),
    )
    return candidate.reference


def fill_all(now: dt.datetime | None = None) -> list[str]:
    """The periodic job: every programme with candidates waiting; returns those called."""
    pairs = (
        Application.objects.filter(status=Status.WAITLISTED)
        .values_list("programme_id", "campaign_id")
        .distinct()
        .order_by("programme_id", "campaign_id")
    )
    called: list[str] = []
    for programme_id, campaign_id in list(pairs):
        called.extend(fill_places(programme_id, campaign_id, now=now).promoted)
    return called


def movements(programme_id: int, campaign_id: int, *, limit: int = 50) -> list[ApplicationEvent]:
    """The latest moves onto and off the programme's waiting list and of its offers."""
    return list(
        ApplicationEvent.objects.filter(
            application__programme_id=programme_id,
            application__campaign_id=campaign_id,
            action__in=MOVEMENTS,
        )
        .filter(
            # A withdrawal or decline matters here only from the list or from an offer.
            from_status__in=[
                Status.ON_AGENDA,
                Status.WAITLISTED,
                Status.ADMITTED,
                Status.ADMITTED_CONDITIONALLY,
                Status.CONFIRMED,
                Status.CONFIRMED_CONDITIONALLY,
            ]
        )
        .select_related("application__candidate__profile", "actor__profile")
        .order_by("-at", "-id")[:limit]
    )


def _fill_after_move(sender: Any, *, application_id: int, to_status: str, **kwargs: Any) -> None:
    if to_status not in CALLING_STATUSES:
        return
    row = (
        Application.objects.filter(pk=application_id)
        .values_list("programme_id", "campaign_id")
        .first()
    )
    if row is not None:
        fill_places(*row)


def connect() -> None:
    status_changed.connect(_fill_after_move, dispatch_uid="waitlist.fill_places")
