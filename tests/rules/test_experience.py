import datetime as dt
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules.experience import (
    Duration,
    PeriodError,
    Span,
    add_months,
    calendar_span,
    check_period,
    elapsed,
    merged_stretches,
    months_between,
    professional_experience,
    stretch_start,
)
from admissions.rules.explain import duration, span
from admissions.rules.facts import FactsError, WorkPeriod
from tests.rules.strategies import any_days, work_periods

D = dt.date
ON = D(2025, 1, 1)
THREE = Decimal(3)


def experience(*periods: tuple[dt.date, dt.date | None], on: dt.date = ON):
    return professional_experience([WorkPeriod(start, end) for start, end in periods], on)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2021, 3, 1), D(2024, 2, 29)),  # across a leap day
        (D(2021, 1, 1), D(2023, 12, 31)),  # three calendar years without one
        (D(2020, 3, 1), D(2023, 2, 28)),  # starting in a leap year
        (D(2021, 1, 31), D(2024, 1, 30)),
        (D(2021, 6, 15), D(2024, 6, 14)),
    ],
)
def test_three_calendar_years_are_exactly_three_years(start: dt.date, end: dt.date) -> None:
    result = experience((start, end))
    assert result.duration == Duration(Fraction(36))
    assert result.years == Decimal("3.0000")
    assert result.at_least(THREE)
    assert result.span == Span(36, 0)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2021, 3, 1), D(2024, 2, 28)),
        (D(2021, 1, 1), D(2023, 12, 30)),
        (D(2021, 6, 15), D(2024, 6, 13)),
    ],
)
def test_one_day_short_of_three_years_is_short(start: dt.date, end: dt.date) -> None:
    result = experience((start, end))
    assert not result.at_least(THREE)
    assert result.years < THREE
    assert result.at_least(Decimal("2.99"))


def test_one_day_short_shows_the_calendar_days() -> None:
    result = experience((D(2021, 1, 1), D(2023, 12, 30)))
    assert result.span == Span(35, 30)
    assert span(result.span).en == "2 years, 11 months and 30 days"
    assert span(result.span).fr == "2 ans, 11 mois et 30 jours"


def test_overlapping_periods_count_once() -> None:
    alone = experience((D(2020, 1, 1), D(2021, 12, 31)))
    overlapping = experience(
        (D(2020, 1, 1), D(2021, 12, 31)), (D(2020, 6, 1), D(2020, 9, 30)), (D(2021, 1, 1), None)
    )
    assert alone.duration == Duration(Fraction(24))
    assert overlapping.days == (ON - D(2020, 1, 1)).days + 1
    assert overlapping.duration == months_between(D(2020, 1, 1), ON + dt.timedelta(days=1))


def test_touching_periods_merge_into_one_stretch() -> None:
    result = experience((D(2020, 1, 1), D(2020, 6, 30)), (D(2020, 7, 1), D(2020, 12, 31)))
    assert result.duration == Duration(Fraction(12))
    assert merged_stretches(
        [WorkPeriod(D(2020, 7, 1), D(2020, 12, 31)), WorkPeriod(D(2020, 1, 1), D(2020, 6, 30))],
        ON,
    ) == [(D(2020, 1, 1), D(2020, 12, 31))]


def test_separate_periods_add_up() -> None:
    result = experience((D(2019, 1, 1), D(2019, 12, 31)), (D(2021, 1, 1), D(2022, 12, 31)))
    assert result.duration == Duration(Fraction(36))
    assert result.at_least(THREE)


def test_ongoing_period_counts_up_to_the_day_of_the_check_included() -> None:
    result = experience((D(2021, 6, 2), None), on=D(2024, 6, 1))
    assert result.at_least(THREE)
    assert not experience((D(2021, 6, 2), None), on=D(2024, 5, 31)).at_least(THREE)


def test_future_parts_are_ignored() -> None:
    assert experience((D(2023, 6, 1), D(2026, 5, 31)), on=D(2024, 5, 31)).duration == Duration(
        Fraction(12)
    )
    future = experience((D(2024, 6, 2), None), (D(2025, 1, 1), D(2027, 1, 1)), on=D(2024, 6, 1))
    assert future.days == 0
    assert future.duration == Duration(Fraction(0))


def test_a_period_of_one_day() -> None:
    result = experience((D(2024, 1, 10), D(2024, 1, 10)))
    assert result.days == 1
    assert result.duration == Duration(Fraction(1, 31))
    assert result.span == Span(0, 1)


def test_no_period_no_experience() -> None:
    result = experience()
    assert (result.days, result.years, result.span) == (0, Decimal("0.0000"), Span(0, 0))


def test_years_are_truncated_never_rounded_up() -> None:
    assert experience((D(2021, 1, 1), D(2023, 12, 30))).years == Decimal("2.9973")
    assert experience((D(2021, 1, 1), D(2024, 1, 1))).years == Decimal("3.0026")


def test_end_before_start_is_refused() -> None:
    with pytest.raises(PeriodError) as caught:
        check_period(D(2024, 2, 1), D(2024, 1, 31))
    assert caught.value.code == "period_ends_before_start"
    with pytest.raises(FactsError) as refused:
        WorkPeriod(D(2024, 2, 1), D(2024, 1, 31))
    assert refused.value.code == "period_ends_before_start"


def test_invalid_periods_are_refused_by_the_computation_too() -> None:
    class Raw:
        start = D(2024, 2, 1)
        end = D(2024, 1, 1)

    with pytest.raises(PeriodError):
        professional_experience([Raw()], ON)


@pytest.mark.parametrize(
    ("since", "on", "year"),
    [
        (D(2022, 9, 1), D(2023, 8, 31), False),  # 364 days
        (D(2022, 9, 1), D(2023, 9, 1), True),  # 365 days
        (D(2023, 3, 1), D(2024, 2, 29), False),  # 365 days, but across a leap day
        (D(2023, 3, 1), D(2024, 3, 1), True),  # 366 days: one year to the day
        (D(2024, 7, 1), D(2024, 6, 1), False),  # arrives after the check
    ],
)
def test_time_elapsed_is_counted_to_the_anniversary(
    since: dt.date, on: dt.date, year: bool
) -> None:
    assert elapsed(since, on).at_least(Decimal(1)) is year


def test_adding_a_month_to_the_end_of_a_month() -> None:
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 1, 31), 2) == D(2024, 3, 31)
    assert add_months(D(2023, 11, 15), 14) == D(2025, 1, 15)


def test_calendar_span() -> None:
    assert calendar_span(D(2021, 9, 1), D(2024, 1, 16)) == Span(28, 15)
    assert calendar_span(D(2024, 1, 16), D(2024, 1, 16)) == Span(0, 0)


def test_spans_fold_days_only_past_a_month() -> None:
    assert Span(1, 20) + Span(2, 10) == Span(3, 30)
    assert Span(1, 20) + Span(2, 15) == Span(4, 5)
    assert Span(0, 29) + Span(0, 1) == Span(0, 30)


def test_requirement_texts() -> None:
    assert duration(Duration.from_years(Decimal(3))).en == "3 years"
    assert duration(Duration.from_years(Decimal("1.5"))).fr == "1 an et 6 mois"
    assert duration(Duration.from_years(Decimal(1))).en == "1 year"
    assert duration(Duration(Fraction(1, 31)), round_up=True).en == "1 day"
    assert duration(Duration(Fraction(0))).en == "0 days"
    assert span(Span(4, 0)).en == "4 months"
    assert span(Span(13, 1)).fr == "1 an, 1 mois et 1 jour"


def test_duration_arithmetic() -> None:
    assert Duration.of(months=2, days=15) == Duration(Fraction(5, 2))
    assert Duration.of(months=1) - Duration.of(months=3) == Duration(Fraction(0))
    assert Duration(Fraction(35) + Fraction(29, 30)).parts() == (2, 11, 29)
    assert Duration(Fraction(35) + Fraction(1, 31)).parts(round_up=True) == (2, 11, 1)
    assert Duration(Fraction(35) + Fraction(299, 300)).parts(round_up=True) == (3, 0, 0)
    with pytest.raises(ValueError, match="negative"):
        Duration(Fraction(-1))


@given(st.lists(work_periods(), max_size=5), work_periods(), any_days)
def test_another_period_never_lowers_experience(
    periods: list[WorkPeriod], extra: WorkPeriod, on: dt.date
) -> None:
    before = professional_experience(periods, on)
    after = professional_experience([*periods, extra], on)
    assert after.duration >= before.duration
    assert after.days >= before.days


@given(st.lists(work_periods(), max_size=5), any_days, st.integers(0, 800))
def test_experience_grows_with_the_date_of_the_check(
    periods: list[WorkPeriod], on: dt.date, later: int
) -> None:
    assert (
        professional_experience(periods, on + dt.timedelta(days=later)).duration
        >= professional_experience(periods, on).duration
    )


@given(st.lists(work_periods(), max_size=5), any_days, st.randoms())
def test_order_of_periods_does_not_matter(periods: list[WorkPeriod], on: dt.date, random) -> None:
    shuffled = list(periods)
    random.shuffle(shuffled)
    assert professional_experience(shuffled, on) == professional_experience(periods, on)


@given(st.lists(work_periods(), max_size=5), any_days)
def test_stretches_are_disjoint_and_bounded_by_the_check(
    periods: list[WorkPeriod], on: dt.date
) -> None:
    stretches = merged_stretches(periods, on)
    for start, end in stretches:
        assert start <= end <= on
    for (_, end), (start, _) in itertools.pairwise(stretches):
        assert start > end + dt.timedelta(days=1)
    result = professional_experience(periods, on)
    assert result.days == sum((end - start).days + 1 for start, end in stretches)
    # A month is 28 to 31 days: the duration stays within those bounds of the days worked.
    assert Fraction(result.days, 31) <= result.duration.months <= Fraction(result.days, 28)


@given(any_days, st.integers(0, 4000))
def test_a_stretch_measures_whole_years_exactly(start: dt.date, years: int) -> None:
    years = years % 6
    stop = add_months(start, 12 * years)
    if stop.day == start.day:
        assert months_between(start, stop) == Duration(Fraction(12 * years))


def test_stretch_start_examples() -> None:
    assert stretch_start(Duration.from_years(Decimal(2)), D(2024, 3, 1)) == D(2022, 3, 1)
    assert stretch_start(Duration.from_years(THREE), D(2024, 1, 16)) == D(2021, 1, 16)
    assert stretch_start(Duration.from_years(Decimal(1)), D(2024, 3, 1)) == D(2023, 3, 1)
    assert stretch_start(Duration(Fraction(0)), D(2024, 3, 1)) == D(2024, 3, 1)


@given(
    any_days,
    st.fractions(min_value=0, max_value=600, max_denominator=62),
)
def test_stretch_start_is_the_latest_start_that_lasts_long_enough(
    stop: dt.date, months: Fraction
) -> None:
    length = Duration(months)
    start = stretch_start(length, stop)
    assert start <= stop
    assert months_between(start, stop) >= length
    later = start + dt.timedelta(days=1)
    if later < stop:
        assert months_between(later, stop) < length
