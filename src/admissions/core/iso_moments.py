"""Dates and times written as the API's JSON writes them, a hundred a page.

Django's JSON encoder writes a moment with `isoformat()`, cut to the millisecond, `Z` for
UTC. Through `json.dumps(..., default=...)` that is a call back into Python for each value
and `isoformat()` rebuilding every field, about 2.5 microseconds a value here: a fifth of
the staff's list in the worker. The moments read from the database are in UTC (the
connection's zone), so their text is the day's, written once per distinct day, then the
time of day and the milliseconds from small tables: about a quarter of the time, the same
text. Any other moment (another zone, a naive one) goes through Django's encoder.
"""

from __future__ import annotations

import datetime as dt

from django.core.serializers.json import DjangoJSONEncoder

_ENCODE = DjangoJSONEncoder().default
# "YYYY-MM-DD" by the day's ordinal, for the days met: bounded, not a figure ever reached.
_DAYS: dict[int, str] = {}
_MOST_DAYS = 4096
_MINUTES = tuple(f"T{hour:02d}:{minute:02d}:" for hour in range(24) for minute in range(60))
_SECONDS = tuple(f"{second:02d}" for second in range(60))
# Cut, not rounded, as the encoder cuts isoformat()'s microseconds.
_MILLISECONDS = tuple(f".{millisecond:03d}Z" for millisecond in range(1000))


def json_moment(value: dt.datetime) -> str:
    """`value` as `DjangoJSONEncoder` writes it."""
    if value.tzinfo is not dt.UTC:
        text: str = _ENCODE(value)
        return text
    ordinal = value.toordinal()
    day = _DAYS.get(ordinal)
    if day is None:
        if len(_DAYS) >= _MOST_DAYS:
            _DAYS.clear()
        day = _DAYS[ordinal] = value.date().isoformat()
    microsecond = value.microsecond
    return (
        day
        + _MINUTES[value.hour * 60 + value.minute]
        + _SECONDS[value.second]
        + (_MILLISECONDS[microsecond // 1000] if microsecond else "Z")
    )
