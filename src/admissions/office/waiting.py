"""How long files have waited in their step, against each institution's target.

The target is the rulebook's `review.step_target_days`, read per campaign from the stored
rulebook in one query (never the whole rulebook of each row listed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign

# The steps where a file waits on the staff's move (not on the candidate's).
STAFF_STEPS = frozenset(
    {
        Status.SUBMITTED,
        Status.COMPLETE,
        Status.ADMISSIBLE,
        Status.INTERVIEW_SCHEDULED,
        Status.INTERVIEWED,
        Status.ON_AGENDA,
    }
)


def step_targets(campaign_ids: Iterable[int]) -> dict[int, int]:
    """Each campaign's target in days; campaigns whose rulebook sets none are left out."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    found = Campaign.objects.filter(pk__in=ids).values_list(
        "pk", "rulebook__review__step_target_days"
    )
    return {pk: int(days) for pk, days in found if isinstance(days, int) and days > 0}


def targets_of_institutions(institution_ids: Iterable[int] | object) -> dict[int, int]:
    """The targets of every campaign of these institutions (a list or a subquery of ids)."""
    found = Campaign.objects.filter(institution_id__in=institution_ids).values_list(
        "pk", "rulebook__review__step_target_days"
    )
    return {pk: int(days) for pk, days in found if isinstance(days, int) and days > 0}


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
