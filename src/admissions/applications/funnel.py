"""The steps of the admissions funnel, which statuses reach each, and the days spent in them.

A file counts in every step it reached, not only where it stands now: a file declined after
its admission still counts as submitted, complete and admitted. The steps a file reached are
kept on its row as bits (`Application.steps_reached`), with the moment it reached the
furthest of them (`step_reached_at`), so that a move knows without reading the history
whether it reaches a step for the first time. The history holds the same facts:
`report_counts.recount` finds them there again.

The time spent in a step is the time from reaching it to reaching a further step: the days
a file took to go on. Files that stop at a step (withdrawn, refused) add no time to it.
Days are kept in bounded buckets (`BUCKET_STARTS`), from which the median and the 90th
percentile are read (`quantile`).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import pgettext_lazy

from admissions.applications.lifecycle import Status


class Step(models.TextChoices):
    # Files in the plural, unlike the statuses' labels (one application each).
    DRAFTS = "drafts", pgettext_lazy("funnel step", "Drafts")
    SUBMITTED = "submitted", pgettext_lazy("funnel step", "Submitted")
    COMPLETE = "complete", pgettext_lazy("funnel step", "Complete")
    ADMISSIBLE = "admissible", pgettext_lazy("funnel step", "Admissible")
    INTERVIEWED = "interviewed", pgettext_lazy("funnel step", "Interviewed")
    ADMITTED = "admitted", pgettext_lazy("funnel step", "Admitted")
    CONFIRMED = "confirmed", pgettext_lazy("funnel step", "Place confirmed")
    ENROLLED = "enrolled", pgettext_lazy("funnel step", "Enrolled")


STEPS: tuple[Step, ...] = tuple(Step)
ORDER = {step: index for index, step in enumerate(STEPS)}
BIT = {step: 1 << index for index, step in enumerate(STEPS)}

# The statuses that reach each step. "Enrolled" is a place confirmed with every condition
# met (status `confirmed`): what the enrolment export hands over for good; a place confirmed
# on condition is confirmed, not yet enrolled.
REACHES: dict[str, tuple[Step, ...]] = {
    Status.DRAFT: (Step.DRAFTS,),
    Status.SUBMITTED: (Step.SUBMITTED,),
    Status.FEE_AWAITED: (Step.SUBMITTED,),
    Status.COMPLETE: (Step.COMPLETE,),
    Status.ADMISSIBLE: (Step.ADMISSIBLE,),
    Status.INTERVIEWED: (Step.INTERVIEWED,),
    Status.ADMITTED: (Step.ADMITTED,),
    Status.ADMITTED_CONDITIONALLY: (Step.ADMITTED,),
    Status.CONFIRMED_CONDITIONALLY: (Step.CONFIRMED,),
    Status.CONFIRMED: (Step.CONFIRMED, Step.ENROLLED),
}
FIRST_MASK = BIT[Step.DRAFTS]

# The breakdowns of the report, each a column copied on the file at submission (the same
# columns the staff's queue filters on). Drafts are not broken down: a draft has no route
# yet, and its track and financing may still change.
DIMENSIONS = ("route", "nationality", "abroad", "financing", "track")
_GROUP = {True: "eu", False: "non_eu", None: ""}
_YES = {True: "yes", False: "no", None: ""}


def keys_of(
    *,
    entry_route: str,
    eu_national: bool | None,
    lives_abroad: bool | None,
    financing: str,
    track: str,
) -> dict[str, str]:
    """The file's value in each breakdown."""
    return {
        "route": entry_route or "",
        "nationality": _GROUP[eu_national],
        "abroad": _YES[lives_abroad],
        "financing": financing or "",
        "track": track or "",
    }


def furthest(mask: int) -> Step:
    # Each step's bit is its place in the order: the furthest is the highest bit set.
    if not 0 < mask < 1 << len(STEPS):
        raise ValueError(f"no steps in mask {mask}")
    return STEPS[mask.bit_length() - 1]


def steps_in(mask: int) -> list[Step]:
    return [step for step in STEPS if mask & BIT[step]]


@dataclass(frozen=True)
class Advance:
    """What one move does to the steps a file reached."""

    reached: tuple[Step, ...]  # the steps reached for the first time
    mask: int
    since: dt.datetime  # when the file reached its furthest step
    # The step the file went on from, and the whole days it spent there (None: no time).
    left: Step | None = None
    days: int = 0


def advance(mask: int, since: dt.datetime, status: str, at: dt.datetime) -> Advance:
    """The file reached `status` at `at`, having reached the steps of `mask`, its furthest at
    `since`."""
    new = tuple(step for step in REACHES.get(status, ()) if not mask & BIT[step])
    if not new:
        return Advance((), mask, since)
    before = furthest(mask)
    after = mask
    for step in new:
        after |= BIT[step]
    if ORDER[furthest(after)] > ORDER[before]:
        return Advance(new, after, at, before, whole_days(since, at))
    return Advance(new, after, since)


def whole_days(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, math.floor((end - start).total_seconds() / 86400))


# Day by day for two weeks (0 to 13 days), then by the week to three months, then wider
# to a year.
BUCKET_STARTS: tuple[int, ...] = (
    *range(15),
    21,
    28,
    35,
    42,
    49,
    56,
    63,
    70,
    77,
    84,
    91,
    120,
    150,
    180,
    240,
    300,
    365,
)


def bucket_of(days: int) -> int:
    """The index of the bucket that holds `days` (the last one holds a year and more)."""
    return max(0, bisect_right(BUCKET_STARTS, days) - 1)


@dataclass(frozen=True)
class Span:
    """A bucket's days: `low` to `high` included; `high` None for "a year and more"."""

    low: int
    high: int | None

    @property
    def exact(self) -> bool:
        return self.high == self.low


def span(bucket: int) -> Span:
    low = BUCKET_STARTS[bucket]
    if bucket + 1 < len(BUCKET_STARTS):
        return Span(low, BUCKET_STARTS[bucket + 1] - 1)
    return Span(low, None)


def quantile(histogram: Mapping[int, int], fraction: float) -> Span | None:
    """The bucket where the `fraction` quantile of the files falls (nearest rank): for the
    median, the bucket of the file ranked ceil(n / 2). None without any file."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return span(bucket)
    return span(max(histogram))
