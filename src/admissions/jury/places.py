"""A programme's places and derogatory-route cap as the jury sees them, and their checks.

Offers count against capacity with the places confirmed: files admitted (on condition or
not) and not yet confirmed, and the admitting decisions entered but not yet published. The
programme's row is locked (`select_for_update`, the lock `workflow.places.claim_place`
takes), so that decisions entered and places confirmed at the same moment are counted one
after the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import DomainError
from admissions.jury.models import Decision
from admissions.rules.jury import DerogationUse, derogation_use, places_left
from admissions.workflow.places import HOLDING

OFFERED = frozenset({Status.ADMITTED, Status.ADMITTED_CONDITIONALLY})
ADMITTING = ("admitted", "admitted_conditionally")


class CapacityError(DomainError):
    code = "programme_full"
    http_status = 409


class DerogationCapError(DomainError):
    code = "derogation_cap"
    http_status = 409


def is_derogatory(application: Application) -> bool:
    return bool(application.eligibility.get("route_kind") == "derogatory")


@dataclass(frozen=True)
class Places:
    programme: Programme
    capacity: int
    holding: int  # confirmed places
    offered: int  # admitted, not confirmed yet
    pending: int  # admitting decisions not yet published
    standard: int  # of the cohort (holding, offered, pending): standard routes
    derogatory: int  # of the cohort: derogatory routes
    cap_percent: int | None

    @property
    def left(self) -> int:
        return places_left(self.capacity, self.holding, self.offered + self.pending)

    @property
    def derogation(self) -> DerogationUse | None:
        if self.cap_percent is None:
            return None
        return derogation_use(self.cap_percent, self.standard, self.derogatory)


def places_of(campaign: Campaign, programmes: list[Programme]) -> dict[int, Places]:
    """Every programme's places in two queries, whatever the number of files."""
    ids = [programme.pk for programme in programmes]
    cap = campaign.rules.jury.derogation_cap
    derogatory = Q(eligibility__route_kind="derogatory")
    files = (
        Application.objects.filter(campaign=campaign, programme_id__in=ids)
        .filter(status__in=[*HOLDING, *OFFERED])
        .values("programme_id")
        .annotate(
            holding=Count("pk", filter=Q(status__in=list(HOLDING))),
            offered=Count("pk", filter=Q(status__in=list(OFFERED))),
            derogatory=Count("pk", filter=derogatory),
        )
    )
    counted: dict[int, dict[str, Any]] = {row["programme_id"]: dict(row) for row in files}
    pending = (
        Decision.objects.filter(
            session__campaign=campaign,
            application__programme_id__in=ids,
            outcome__in=ADMITTING,
            published_at__isnull=True,
        )
        .values("application__programme_id")
        .annotate(total=Count("pk"), derogatory=Count("pk", filter=Q(derogatory=True)))
    )
    waiting: dict[int, dict[str, Any]] = {
        row["application__programme_id"]: dict(row) for row in pending
    }
    result = {}
    for programme in programmes:
        row: dict[str, Any] = counted.get(programme.pk, {})
        more: dict[str, Any] = waiting.get(programme.pk, {})
        cohort = row.get("holding", 0) + row.get("offered", 0) + more.get("total", 0)
        derogatory_count = row.get("derogatory", 0) + more.get("derogatory", 0)
        result[programme.pk] = Places(
            programme=programme,
            capacity=programme.capacity,
            holding=row.get("holding", 0),
            offered=row.get("offered", 0),
            pending=more.get("total", 0),
            standard=cohort - derogatory_count,
            derogatory=derogatory_count,
            cap_percent=cap.percent if cap is not None else None,
        )
    return result


def lock_programme(programme_id: int) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme_id)


def check_capacity(campaign: Campaign, programme: Programme) -> None:
    """Refuse when offers and confirmed places go beyond the capacity (call under the lock)."""
    places = places_of(campaign, [programme])[programme.pk]
    if places.holding + places.offered + places.pending > places.capacity:
        raise CapacityError(
            _(
                "%(programme)s has %(capacity)d places: with the places confirmed and offered, "
                "this admission goes beyond them."
            )
            % {"programme": programme.name, "capacity": programme.capacity},
            details={"programme": programme.slug, "capacity": programme.capacity},
        )


def check_derogation(campaign: Campaign, programme: Programme) -> None:
    use = places_of(campaign, [programme])[programme.pk].derogation
    if use is not None and not use.within:
        raise DerogationCapError(
            _(
                "%(programme)s: %(used)d admissions through derogatory routes in a cohort of "
                "%(cohort)d, more than the %(percent)d %% the rules allow (%(allowed)d)."
            )
            % {
                "programme": programme.name,
                "used": use.derogatory,
                "cohort": use.cohort,
                "percent": use.percent,
                "allowed": use.allowed,
            },
            details={"programme": programme.slug, "allowed": use.allowed},
        )
