"""Deadlines: a date in Europe/Paris means the end of that date, compared in UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def end_of_day(day: dt.date, tz: dt.tzinfo = PARIS) -> dt.datetime:
    """The first instant after `day` ends, in UTC: a deadline on `day` holds strictly before it.

    "Midnight on 7 June" is the end of 7 June: 23:59:59.999 on 7 June is in time and
    00:00 on 8 June is late, whatever the daylight-saving offset of either day.
    """
    next_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return next_day.astimezone(dt.UTC)


def start_of_day(day: dt.date, tz: dt.tzinfo = PARIS) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz).astimezone(dt.UTC)


def is_before_deadline(moment: dt.datetime, day: dt.date, tz: dt.tzinfo = PARIS) -> bool:
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment < end_of_day(day, tz)


def is_open(moment: dt.datetime, opens_on: dt.date, closes_on: dt.date) -> bool:
    return start_of_day(opens_on) <= moment < end_of_day(closes_on)


def paris_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(PARIS).date()


def add_days_deadline(moment: dt.datetime, days: int) -> dt.datetime:
    """A window of N days from an event ends at the end of the N-th day after it, in Paris."""
    return end_of_day(paris_date(moment) + dt.timedelta(days=days))
