"""How long files have waited in their step, against each institution's target.

The target is the rulebook's `review.step_target_days`, read per campaign from the stored
rulebook in one query (never the whole rulebook of each row listed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from admissions.applications.lifecycle import STAFF_STEPS, Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign


def campaign_targets(campaigns: Iterable[Campaign]) -> dict[int, int]:
    """Each campaign's target in days, from its rulebook; campaigns that set none are left out."""
    found = {c.pk: c.rules.review.step_target_days for c in campaigns}
    return {pk: days for pk, days in found.items() if days}


@dataclass(frozen=True)
class StepLateness:
    status: str
    label: str
    waiting: int
    late: int


def lateness_by_step(
    files: QuerySet[Application], targets: dict[int, int], now: dt.datetime | None = None
) -> list[StepLateness]:
    """For each staff step, how many files wait in it and how many are over their target:
    one grouped query."""
    rows = (
        files.filter(status__in=sorted(STAFF_STEPS))
        .order_by()
        .values("status")
        .annotate(waiting=Count("pk"), late=Count("pk", filter=over_target(targets, now)))
        .values_list("status", "waiting", "late")
    )
    grouped = {status: (waiting, late) for status, waiting, late in rows}
    return [
        StepLateness(status.value, str(status.label), *grouped[status.value])
        for status in Status
        if status.value in grouped
    ]


def over_target(targets: dict[int, int], now: dt.datetime | None = None) -> Q:
    """Files of a staff step that entered it longer ago than their campaign's target."""
    moment = now or timezone.now()
    late = Q(pk__in=[])
    for campaign_id, days in sorted(targets.items()):
        late |= Q(campaign_id=campaign_id, status_changed_at__lt=moment - dt.timedelta(days=days))
    return late & Q(status__in=sorted(STAFF_STEPS))


def days_in_step(changed_at: dt.datetime, now: dt.datetime | None = None) -> int:
    return ((now or timezone.now()) - changed_at).days


def is_late(status: str, days: int, target: int | None) -> bool:
    return target is not None and status in STAFF_STEPS and days > target
