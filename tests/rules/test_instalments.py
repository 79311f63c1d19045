import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules.instalments import add_months, due_dates, schedule, split_cents
from admissions.rules.vocabulary import FeeDue

totals = st.integers(min_value=0, max_value=10_000_000_00)
counts = st.integers(min_value=1, max_value=24)


def test_three_instalments_of_the_seed_amounts() -> None:
    assert split_cents(750_000, 3) == [250_000, 250_000, 250_000]
    assert split_cents(1_250_000, 3) == [416_667, 416_667, 416_666]
    assert split_cents(100, 3) == [34, 33, 33]


@given(totals, counts)
def test_parts_add_up_to_the_total_exactly(total: int, count: int) -> None:
    parts = split_cents(total, count)
    assert len(parts) == count
    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)  # the odd cents go to the first ones


@given(totals, counts, st.integers(min_value=1, max_value=36))
def test_schedule_spreads_over_the_programme(total: int, count: int, months: int) -> None:
    plan = schedule(total, count=count, first_due=FeeDue.REGISTRATION, duration_months=months)
    assert sum(item.amount_cents for item in plan) == total
    assert [item.number for item in plan] == list(range(1, count + 1))
    assert plan[0].month_offset == 0
    assert plan[0].due == FeeDue.REGISTRATION
    assert all(item.due is None for item in plan[1:])
    offsets = [item.month_offset for item in plan]
    assert offsets == sorted(offsets)
    assert offsets[-1] < months


def test_twelve_months_in_three_instalments() -> None:
    plan = schedule(900_000, count=3, first_due=FeeDue.REGISTRATION, duration_months=12)
    assert [(i.amount_cents, i.month_offset) for i in plan] == [
        (300_000, 0),
        (300_000, 4),
        (300_000, 8),
    ]


@pytest.mark.parametrize(("total", "count"), [(100, 0), (-1, 3)])
def test_impossible_splits_are_refused(total: int, count: int) -> None:
    with pytest.raises(ValueError, match=r"instalment|negative"):
        split_cents(total, count)


def test_a_programme_of_no_months_is_refused() -> None:
    with pytest.raises(ValueError, match="month"):
        schedule(100, count=1, first_due=FeeDue.REGISTRATION, duration_months=0)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 10, 1), 4, dt.date(2025, 2, 1)),
        (dt.date(2024, 12, 15), 12, dt.date(2025, 12, 15)),
        (dt.date(2024, 5, 31), 0, dt.date(2024, 5, 31)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_due_dates_first_at_registration_then_from_the_start() -> None:
    plan = schedule(750_000, count=3, first_due=FeeDue.REGISTRATION, duration_months=12)
    dates = due_dates(plan, starts_on=dt.date(2024, 10, 1), first_due_on=dt.date(2024, 7, 2))
    assert dates == [dt.date(2024, 7, 2), dt.date(2025, 2, 1), dt.date(2025, 6, 1)]


def test_no_later_instalment_falls_before_the_first() -> None:
    plan = schedule(750_000, count=3, first_due=FeeDue.REGISTRATION, duration_months=12)
    dates = due_dates(plan, starts_on=dt.date(2024, 1, 1), first_due_on=dt.date(2024, 9, 1))
    assert dates == [dt.date(2024, 9, 1), dt.date(2024, 9, 1), dt.date(2024, 9, 1)]
