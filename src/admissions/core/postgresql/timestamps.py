"""Times with a time zone read from PostgreSQL by Python's own ISO parser.

Django reads every `timestamptz` value through psycopg's pure-Python loader (its own loader
subclasses it, to set the time zone of the connection): a regular expression, eight `int()`
calls, a `timedelta` and a conversion between zones, about 20 microseconds a value here,
paid for the session's expiry and the user's dates on every signed-in request and for every
date of a staff list. With the connection in UTC (Django's own setting whenever USE_TZ is on
and the database has no TIME_ZONE of its own) the server writes each value as
`YYYY-MM-DD HH:MM:SS[.ffffff]+00`, which `datetime.fromisoformat` reads in C to the same
instant; the value then gets the connection's time zone as Django's loader gives it. Any
other text (another offset, infinity, a date before Christ, a date style other than ISO)
goes through Django's loader unchanged, and so does any connection not in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg import adapt
from psycopg.types.datetime import TimestamptzLoader

_UTC_SUFFIX = b"+00"
_templates: dict[int, tuple[Any, adapt.AdaptersMap]] = {}


class UtcLoader(BaseTzLoader):  # type: ignore[misc]
    """Django's loader for a connection in UTC, which reads `+00` values with
    `datetime.fromisoformat`."""

    timezone = dt.UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        # The server's date style, as psycopg's loader found it: ISO or not.
        self._iso = self._load_method is TimestamptzLoader._load_iso

    def load(self, data: Any) -> dt.datetime:
        text = bytes(data)
        if self._iso and text.endswith(_UTC_SUFFIX):
            try:
                value = dt.datetime.fromisoformat(text.decode())
            except ValueError:
                pass
            else:
                return value.replace(tzinfo=self.timezone)
        loaded: dt.datetime = super().load(data)
        return loaded


def adapters(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    """Django's adapters for a connection in UTC (`template`), with `UtcLoader`; one map per
    template, as Django keeps one template per time zone."""
    found = _templates.get(id(template))
    if found is None or found[0] is not template:
        mine = adapt.AdaptersMap(template)
        mine.register_loader("timestamptz", UtcLoader)
        found = _templates[id(template)] = (template, mine)
    return found[1]
