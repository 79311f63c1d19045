"""The places of a programme in a campaign: offers, confirmations, the waiting list.

Every move that takes a place (a confirmation, a call from the waiting list) counts the
programme's places under a lock on the programme's row (`lock_programme`), so two of them at
the same moment are counted one after the other: on PostgreSQL the second waits for the
first to commit, then counts it. SQLite runs one writing transaction at a time, which
serialises them the same way. Moves that give a place up (a decline, a lapse, a withdrawal)
need no lock: they can only make room.

Lock order: the programme's row first, then the files' rows; a service that locks both
always takes them in that order, so two of them never wait for each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import ngettext

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import DomainError
from admissions.people.models import Role
from admissions.rules.places import Places, window_end
from admissions.rules.vocabulary import AfterWindow

# The statuses that hold one of the programme's places for good.
HOLDING = frozenset({Status.CONFIRMED, Status.CONFIRMED_CONDITIONALLY})
# The statuses of a place offered and not confirmed yet.
OFFERED = frozenset({Status.ADMITTED, Status.ADMITTED_CONDITIONALLY})
# The moves that offer a place; lifting a condition later does not restart the window.
ADMITTING_ACTIONS = (
    "application.publish_admitted",
    "application.publish_admitted_conditionally",
    "application.admit_from_waitlist",
    "application.admit_from_waitlist_conditionally",
)


# Who sees a programme's places and waiting list.
PLACES_ROLES = (
    Role.ADMISSIONS_OFFICER,
    Role.INSTITUTION_ADMIN,
    Role.JURY_PRESIDENT,
    Role.JURY_MEMBER,
    Role.PEDAGOGICAL_LEAD,
    Role.FINANCE_OFFICER,
)
# The statuses of files past the jury that the places' pages count.
AFTER_DECISION = (
    Status.ADMITTED,
    Status.ADMITTED_CONDITIONALLY,
    Status.WAITLISTED,
    Status.CONFIRMED,
    Status.CONFIRMED_CONDITIONALLY,
)


def counts_by_programme(programme_ids: QuerySet[Programme, Any]) -> list[dict[str, Any]]:
    """Each programme and campaign with files past the jury: its places confirmed, offered,
    and its waiting list's length; one query, by programme then newest campaign first."""
    files = Application.objects.filter(programme_id__in=programme_ids, status__in=AFTER_DECISION)
    rows = (
        files.values("programme_id", "campaign_id")
        .annotate(
            confirmed=Count("pk", filter=Q(status__in=list(HOLDING))),
            offered=Count("pk", filter=Q(status__in=list(OFFERED))),
            waiting=Count("pk", filter=Q(status=Status.WAITLISTED)),
        )
        .order_by("programme_id", "-campaign_id")
    )
    return [dict(row) for row in rows]


class ProgrammeFullError(DomainError):
    code = "programme_full"
    http_status = 409


def lock_programme(programme_id: int) -> Programme:
    return Programme.objects.select_for_update().only("pk", "capacity").get(pk=programme_id)


def _offered_at() -> Coalesce:
    last_offer = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"), action__in=ADMITTING_ACTIONS)
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return Coalesce(Subquery(last_offer), "status_changed_at")


@dataclass(frozen=True)
class Offer:
    application_id: int
    reference: str
    deadline: dt.datetime  # the first instant too late to confirm

    def overdue(self, now: dt.datetime) -> bool:
        return now >= self.deadline


def offers(programme_id: int, campaign: Campaign) -> list[Offer]:
    """The programme's places offered and not confirmed, the earliest deadline first."""
    days = campaign.rules.confirmation.window_days
    rows = (
        Application.objects.filter(
            programme_id=programme_id, campaign_id=campaign.pk, status__in=list(OFFERED)
        )
        .annotate(offered_at=_offered_at())
        .values_list("pk", "reference", "offered_at")
    )
    found = [Offer(pk, reference, window_end(at, days)) for pk, reference, at in rows]
    return sorted(found, key=lambda offer: (offer.deadline, offer.application_id))


def taken(programme_id: int, campaign_id: int) -> int:
    return Application.objects.filter(
        programme_id=programme_id, campaign_id=campaign_id, status__in=list(HOLDING)
    ).count()


def waiting(programme_id: int, campaign_id: int) -> int:
    return Application.objects.filter(
        programme_id=programme_id, campaign_id=campaign_id, status=Status.WAITLISTED
    ).count()


def count_places(
    programme: Programme, campaign: Campaign, *, now: dt.datetime, found: list[Offer] | None = None
) -> Places:
    running = offers(programme.pk, campaign) if found is None else found
    overdue = sum(1 for offer in running if offer.overdue(now))
    return Places(
        capacity=programme.capacity,
        confirmed=taken(programme.pk, campaign.pk),
        open=len(running) - overdue,
        overdue=overdue,
        waiting=waiting(programme.pk, campaign.pk),
    )


def policy_of(campaign: Campaign) -> AfterWindow:
    return campaign.rules.confirmation.after_window


def full_message(capacity: int) -> str:
    return ngettext(
        "The %(capacity)d place of this programme is already confirmed, so yours "
        "cannot be confirmed. The admissions office will contact you.",
        "All %(capacity)d places of this programme are already confirmed, so yours "
        "cannot be confirmed. The admissions office will contact you.",
        capacity,
    ) % {"capacity": capacity}


def refuse_if_full(programme: Programme, campaign: Campaign) -> None:
    """Refuse while every place is confirmed; call holding the programme's lock."""
    if taken(programme.pk, campaign.pk) >= programme.capacity:
        raise ProgrammeFullError(
            full_message(programme.capacity), details={"capacity": programme.capacity}
        )
