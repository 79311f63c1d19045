"""Professional experience from periods of work, and durations counted in calendar months.

How a duration is measured, precisely:

1. Periods are closed intervals of days: a period from 2021-03-01 to 2024-02-29 covers both
   days. An ongoing period (no end) runs to the date of the check, that day included; days
   after the check are ignored, and a period that starts after it counts for nothing.
2. Overlapping or touching periods are merged first, so that a day worked in two jobs counts
   once.
3. Each merged stretch is counted the way one counts an age: the whole calendar months from
   its first day (a month after 31 January ends on 28 or 29 February), then the days left over
   as the fraction of the next month they cover (10 days of a 31-day month: 10/31 of a month).
4. The months of all stretches are added up; 12 months make a year.

So any stretch of three calendar years counts exactly 3 years, leap day or not (2021-03-01 to
2024-02-29, or 2021-01-01 to 2023-12-31), and a day less always falls short. Amounts are kept
as exact fractions; they are rounded only to be shown.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Protocol

MONTHS_PER_YEAR = 12
DAYS_PER_MONTH = 30  # only to show a fraction of a month as days
YEARS_PLACES = Decimal("0.0001")


class PeriodError(ValueError):
    """A period of work that cannot be: it ends before it starts."""

    code = "period_ends_before_start"

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start = start
        self.end = end
        super().__init__(
            f"a period cannot end ({end.isoformat()}) before it starts ({start.isoformat()})"
        )


class PeriodLike(Protocol):
    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date | None: ...


@dataclass(frozen=True, order=True)
class Duration:
    """A length of time in calendar months, kept as an exact fraction."""

    months: Fraction

    def __post_init__(self) -> None:
        if self.months < 0:
            raise ValueError(f"a duration cannot be negative: {self.months} months")

    @classmethod
    def of(cls, months: int = 0, days: int = 0) -> Duration:
        """Whole months, plus days counted as thirtieths of a month (for requirements)."""
        return cls(Fraction(months) + Fraction(days, DAYS_PER_MONTH))

    @classmethod
    def from_years(cls, years: Decimal) -> Duration:
        return _duration_of(years)

    @property
    def years(self) -> Decimal:
        """In years, truncated to 4 decimals: 3 years less a day of December is 2.9973."""
        exact = self.months / MONTHS_PER_YEAR
        truncated = Decimal(exact.numerator) / Decimal(exact.denominator)
        return truncated.quantize(YEARS_PLACES, rounding=ROUND_DOWN)

    def parts(self, *, round_up: bool = False) -> tuple[int, int, int]:
        """Years, months and days to show: days are thirtieths of a month, rounded down
        (what one has) or up (what one still needs)."""
        whole = math.floor(self.months)
        rest = (self.months - whole) * DAYS_PER_MONTH
        days = math.ceil(rest) if round_up else math.floor(rest)
        if days == DAYS_PER_MONTH:
            whole, days = whole + 1, 0
        years, months = divmod(whole, MONTHS_PER_YEAR)
        return years, months, days

    def at_least(self, years: Decimal) -> bool:
        """Whether this is `years` or longer, compared exactly (no rounding)."""
        return self.months >= _months_in(years)

    def __sub__(self, other: Duration) -> Duration:
        return Duration(max(Fraction(0), self.months - other.months))

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.months + other.months)


@lru_cache(maxsize=512)
def _months_in(years: Decimal) -> Fraction:
    # The rulebooks' and the answers' few durations, converted once each (exact fractions
    # cost more than the comparisons they serve).
    return Fraction(years) * MONTHS_PER_YEAR


@lru_cache(maxsize=512)
def _duration_of(years: Decimal) -> Duration:
    return Duration(_months_in(years))  # immutable: one for each length asked


ZERO = Duration(Fraction(0))


@dataclass(frozen=True)
class Span:
    """Whole calendar months and the calendar days left over, as shown to people."""

    months: int
    days: int

    def __add__(self, other: Span) -> Span:
        # Days left over by several stretches fold into months only past 30, because one
        # stretch alone may end 30 days into a 31-day month and still be short of it.
        extra, days = divmod(self.days + other.days, DAYS_PER_MONTH)
        if extra and days == 0:
            extra, days = extra - 1, DAYS_PER_MONTH
        return Span(self.months + other.months + extra, days)


@dataclass(frozen=True)
class Experience:
    """Professional experience at a date: calendar days worked and their measured duration."""

    days: int  # distinct calendar days worked up to the date of the check
    duration: Duration  # exact, for comparisons
    span: Span  # to show; exact for one stretch, days over 30 folded into months otherwise

    @property
    def years(self) -> Decimal:
        return self.duration.years

    def at_least(self, years: Decimal) -> bool:
        return self.duration.at_least(years)


def check_period(start: dt.date, end: dt.date | None) -> None:
    """Refuse a period that ends before it starts (a period of one day ends when it starts)."""
    if end is not None and end < start:
        raise PeriodError(start, end)


def merged_stretches(periods: Iterable[PeriodLike], on: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Periods cut at `on` and merged where they overlap or touch, in date order."""
    clipped: list[tuple[dt.date, dt.date]] = []
    for period in periods:
        check_period(period.start, period.end)
        end = on if period.end is None else min(period.end, on)
        if period.start <= end:
            clipped.append((period.start, end))
    clipped.sort()
    merged: list[tuple[dt.date, dt.date]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def professional_experience(periods: Iterable[PeriodLike], on: dt.date) -> Experience:
    """The experience the periods add up to on the date `on` (see the module's definition)."""
    total = ZERO
    span = Span(0, 0)
    days = 0
    for start, end in merged_stretches(periods, on):
        total += months_between(start, end + dt.timedelta(days=1))
        span += calendar_span(start, end + dt.timedelta(days=1))
        days += (end - start).days + 1
    return Experience(days=days, duration=total, span=span)


def elapsed(since: dt.date, on: dt.date) -> Duration:
    """The time from the start of `since` to the start of `on` (nothing if `on` is earlier).

    In France since 2023-09-01, on 2024-09-01: exactly one year, on 2024-08-31: not yet.
    """
    return months_between(since, on) if on > since else ZERO


@lru_cache(maxsize=1024)
def stretch_start(length: Duration, stop: dt.date) -> dt.date:
    """The latest first day of a stretch up to `stop` (excluded) that lasts at least `length`.

    The inverse of `months_between`: "in France for 2 years" on 2024-03-01 is since
    2022-03-01, and "3 years of work" to 2024-01-15 included starts on 2021-01-16.
    Kept per length and day: a self-check's answers name a few lengths, each asked often.
    """
    whole = math.floor(length.months)
    earliest = add_months(stop, -(whole + 1)) - dt.timedelta(days=1)
    low, high = 0, (stop - earliest).days  # offsets from `earliest`
    while low < high:  # bisection: the later a stretch starts, the shorter it is
        middle = (low + high + 1) // 2
        if months_between(earliest + dt.timedelta(days=middle), stop) >= length:
            low = middle
        else:
            high = middle - 1
    return earliest + dt.timedelta(days=low)


def months_between(start: dt.date, stop: dt.date) -> Duration:
    """Whole calendar months from `start` up to `stop` (excluded), and the fraction of the
    month after the last of them that the remaining days cover."""
    months = _whole_months(start, stop)
    anniversary = add_months(start, months)
    month_length = (add_months(start, months + 1) - anniversary).days
    return Duration(months + Fraction((stop - anniversary).days, month_length))


def calendar_span(start: dt.date, stop: dt.date) -> Span:
    """Whole calendar months from `start` up to `stop` (excluded), and the days left over."""
    if stop <= start:
        return Span(0, 0)
    months = _whole_months(start, stop)
    return Span(months, (stop - add_months(start, months)).days)


def _whole_months(start: dt.date, stop: dt.date) -> int:
    months = (stop.year - start.year) * MONTHS_PER_YEAR + stop.month - start.month
    return months - 1 if add_months(start, months) > stop else months


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day."""
    index = day.year * MONTHS_PER_YEAR + day.month - 1 + months
    year, month = divmod(index, MONTHS_PER_YEAR)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))
