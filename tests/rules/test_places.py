"""The confirmation window's end across daylight-saving changes, and the programme's places
after the window under each of the rulebook's `after_window` policies."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules.deadlines import PARIS
from admissions.rules.places import Places, calls, may_confirm, window_end
from admissions.rules.vocabulary import AfterWindow

UTC = dt.UTC


@pytest.mark.parametrize(
    ("offered", "days", "last_moment_utc", "too_late_utc"),
    [
        # Winter time all along: the last day ends at 23:00 UTC.
        (
            dt.datetime(2024, 1, 10, 9, 0, tzinfo=PARIS),
            15,
            dt.datetime(2024, 1, 25, 22, 59, 59, tzinfo=UTC),
            dt.datetime(2024, 1, 25, 23, 0, tzinfo=UTC),
        ),
        # Offered in winter (15 March), the window ends in summer time (31 March 2024 is the
        # change): the last day, 30 March, is still winter; 15 days from 20 March end on
        # 4 April, in summer time, at 22:00 UTC.
        (
            dt.datetime(2024, 3, 20, 18, 30, tzinfo=PARIS),
            15,
            dt.datetime(2024, 4, 4, 21, 59, 59, tzinfo=UTC),
            dt.datetime(2024, 4, 4, 22, 0, tzinfo=UTC),
        ),
        # The last day is the day of the spring change itself (31 March 2024, 23 hours long).
        (
            dt.datetime(2024, 3, 16, 12, 0, tzinfo=PARIS),
            15,
            dt.datetime(2024, 3, 31, 21, 59, 59, tzinfo=UTC),
            dt.datetime(2024, 3, 31, 22, 0, tzinfo=UTC),
        ),
        # The last day is the day of the autumn change (27 October 2024, 25 hours long).
        (
            dt.datetime(2024, 10, 12, 12, 0, tzinfo=PARIS),
            15,
            dt.datetime(2024, 10, 27, 22, 59, 59, tzinfo=UTC),
            dt.datetime(2024, 10, 27, 23, 0, tzinfo=UTC),
        ),
        # Offered in summer, ending in winter.
        (
            dt.datetime(2024, 10, 20, 8, 0, tzinfo=PARIS),
            15,
            dt.datetime(2024, 11, 4, 22, 59, 59, tzinfo=UTC),
            dt.datetime(2024, 11, 4, 23, 0, tzinfo=UTC),
        ),
        # Offered at 00:30 Paris time, which is still the previous day in UTC: the days
        # count from the Paris day of the offer.
        (
            dt.datetime(2024, 6, 1, 0, 30, tzinfo=PARIS),
            15,
            dt.datetime(2024, 6, 16, 21, 59, 59, tzinfo=UTC),
            dt.datetime(2024, 6, 16, 22, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_window_ends_at_paris_midnight_of_the_last_day(
    offered: dt.datetime, days: int, last_moment_utc: dt.datetime, too_late_utc: dt.datetime
) -> None:
    end = window_end(offered, days)
    assert end == too_late_utc
    assert last_moment_utc < end
    # 23:59:59 on the last day, Paris time, is the last second in time.
    assert last_moment_utc.astimezone(PARIS).time() == dt.time(23, 59, 59)


@given(
    offered=st.datetimes(
        min_value=dt.datetime(2020, 1, 1),
        max_value=dt.datetime(2030, 12, 31),
        timezones=st.just(UTC),
    ),
    days=st.integers(1, 90),
)
def test_the_window_always_ends_at_a_paris_midnight(offered: dt.datetime, days: int) -> None:
    end = window_end(offered, days).astimezone(PARIS)
    assert end.time() == dt.time(0, 0)
    assert (end.date() - offered.astimezone(PARIS).date()).days == days + 1


def places(capacity: int, confirmed: int, open_: int, overdue: int, waiting: int) -> Places:
    return Places(
        capacity=capacity, confirmed=confirmed, open=open_, overdue=overdue, waiting=waiting
    )


def test_free_places_go_to_the_waiting_list_first_whatever_the_policy() -> None:
    for policy in AfterWindow:
        assert calls(policy, places(10, 6, 2, 0, 5)).promote == 2
        assert calls(policy, places(10, 6, 2, 0, 1)).promote == 1
        assert calls(policy, places(10, 6, 4, 0, 5)).promote == 0


def test_overdue_offers_are_released_for_waiting_candidates_only_when_needed() -> None:
    full = places(10, 6, 1, 3, 2)
    assert calls(AfterWindow.RELEASE_WHEN_NEEDED, full).release_overdue == 2
    assert calls(AfterWindow.RELEASE_WHEN_NEEDED, full).promote == 2
    # Nobody waits: the overdue offers stay, their candidates may still confirm.
    assert calls(AfterWindow.RELEASE_WHEN_NEEDED, places(10, 6, 1, 3, 0)).release_overdue == 0
    # Kept until the office releases them, or already released by the deadline job.
    assert calls(AfterWindow.KEEP_UNTIL_RELEASED, full) == calls(AfterWindow.RELEASE_AT_ONCE, full)
    assert calls(AfterWindow.KEEP_UNTIL_RELEASED, full).promote == 0


def test_an_over_offered_programme_calls_nobody() -> None:
    # The jury offered 12 places for 10: overdue offers are not traded for new ones.
    assert calls(AfterWindow.RELEASE_WHEN_NEEDED, places(10, 5, 4, 3, 4)).promote == 0


counts = st.integers(0, 30)


@given(
    policy=st.sampled_from(list(AfterWindow)),
    capacity=st.integers(0, 30),
    confirmed=counts,
    open_=counts,
    overdue=counts,
    waiting=counts,
)
def test_calls_never_exceed_the_capacity(
    policy: AfterWindow, capacity: int, confirmed: int, open_: int, overdue: int, waiting: int
) -> None:
    before = places(capacity, confirmed, open_, overdue, waiting)
    made = calls(policy, before)
    assert 0 <= made.release_overdue <= made.promote <= waiting
    assert made.release_overdue <= overdue
    after = before.held - made.release_overdue + made.promote
    assert after <= max(capacity, before.held)
    if made.promote:
        assert after <= capacity


def test_may_confirm_in_the_window_while_places_are_not_all_confirmed() -> None:
    for policy in AfterWindow:
        assert may_confirm(policy, places(2, 1, 5, 0, 3), overdue=False)
        assert not may_confirm(policy, places(2, 2, 5, 0, 3), overdue=False)


def test_after_the_window_each_policy_says_whether_the_candidate_may_still_confirm() -> None:
    free = places(10, 5, 2, 1, 0)
    assert not may_confirm(AfterWindow.RELEASE_AT_ONCE, free, overdue=True)
    assert may_confirm(AfterWindow.KEEP_UNTIL_RELEASED, free, overdue=True)
    assert may_confirm(AfterWindow.RELEASE_WHEN_NEEDED, free, overdue=True)
    # Someone waits for every place left: the overdue candidate's place is theirs.
    needed = places(10, 5, 2, 1, 3)
    assert not may_confirm(AfterWindow.RELEASE_WHEN_NEEDED, needed, overdue=True)
    assert may_confirm(AfterWindow.KEEP_UNTIL_RELEASED, needed, overdue=True)
    assert may_confirm(AfterWindow.RELEASE_WHEN_NEEDED, places(10, 5, 2, 1, 2), overdue=True)
