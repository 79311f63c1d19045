"""The retention periods of a file, as dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from admissions.rules.retention import (
    access_log_cutoff,
    accounting_until,
    add_months,
    personal_data_until,
)
from admissions.rules.schema import Retention

PERIODS = Retention(
    not_admitted_months=24, admitted_years=5, accounting_years=10, access_log_months=12
)
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2080, 12, 31))


def test_months_keep_the_day_or_take_the_months_last() -> None:
    assert add_months(dt.date(2024, 6, 7), 24) == dt.date(2026, 6, 7)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 3, 15), -12) == dt.date(2023, 3, 15)


@given(days, st.integers(min_value=-240, max_value=240))
def test_months_move_by_whole_months(day: dt.date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day


def test_a_file_never_admitted_is_kept_from_the_campaigns_end() -> None:
    until = personal_data_until(
        PERIODS,
        admitted=False,
        campaign_closes_on=dt.date(2024, 6, 7),
        last_change_on=dt.date(2024, 3, 1),
    )
    assert until == dt.date(2026, 6, 7)


def test_a_file_moved_after_its_campaign_is_counted_from_the_move() -> None:
    until = personal_data_until(
        PERIODS,
        admitted=False,
        campaign_closes_on=dt.date(2024, 6, 7),
        last_change_on=dt.date(2024, 9, 30),
    )
    assert until == dt.date(2026, 9, 30)


def test_an_admitted_file_is_kept_for_its_legal_period() -> None:
    until = personal_data_until(
        PERIODS,
        admitted=True,
        campaign_closes_on=dt.date(2024, 6, 7),
        last_change_on=dt.date(2025, 1, 1),
    )
    assert until == dt.date(2029, 6, 7)


@given(days, days, st.booleans())
def test_nothing_goes_before_the_campaign_is_over(
    closes: dt.date, changed: dt.date, admitted: bool
) -> None:
    until = personal_data_until(
        PERIODS, admitted=admitted, campaign_closes_on=closes, last_change_on=changed
    )
    assert until > closes
    if not admitted:
        assert until > changed


def test_accounting_records_are_kept_ten_years_after_the_last_entry() -> None:
    assert accounting_until(PERIODS, last_entry_on=dt.date(2024, 2, 12)) == dt.date(2034, 2, 12)
    assert accounting_until(PERIODS, last_entry_on=None) is None


def test_the_access_log_keeps_its_months() -> None:
    assert access_log_cutoff(PERIODS, dt.date(2025, 5, 31)) == dt.date(2024, 5, 31)


@pytest.mark.parametrize(
    "field", ["not_admitted_months", "admitted_years", "accounting_years", "access_log_months"]
)
def test_a_period_of_zero_is_refused(field: str) -> None:
    values = PERIODS.model_dump() | {field: 0}
    with pytest.raises(ValidationError):
        Retention(**values)
