"""The funnel's arithmetic: the furthest step of a mask, the bucket of a number of days."""

from __future__ import annotations

import pytest

from admissions.applications.funnel import BIT, BUCKET_STARTS, ORDER, STEPS, bucket_of, furthest


@pytest.mark.parametrize("mask", range(1, 1 << len(STEPS)))
def test_the_furthest_step_is_the_latest_in_the_order_of_those_reached(mask: int) -> None:
    reached = [step for step in STEPS if mask & BIT[step]]
    assert furthest(mask) == max(reached, key=ORDER.__getitem__)


@pytest.mark.parametrize("mask", [0, 1 << len(STEPS)])
def test_a_mask_without_a_step_has_no_furthest(mask: int) -> None:
    with pytest.raises(ValueError, match="no steps"):
        furthest(mask)


def test_each_number_of_days_falls_in_the_last_bucket_starting_at_or_before_it() -> None:
    for days in range(0, 2 * BUCKET_STARTS[-1]):
        bucket = bucket_of(days)
        assert BUCKET_STARTS[bucket] <= days
        assert bucket == len(BUCKET_STARTS) - 1 or days < BUCKET_STARTS[bucket + 1]
