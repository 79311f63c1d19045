"""PostgreSQL without a `SELECT 1` before each request on a connection that just answered.

With kept connections and health checks (`CONN_HEALTH_CHECKS`), Django sends `SELECT 1`
before the first statement of every request, so that a connection the server closed (a
restart, a failover) is opened again instead of failing the request. On a short page that
is one round trip in three (the candidate's kept status page: the health check, the session
with its user, the page's version). A connection that ended its last request without error
less than `settings.DATABASE_HEALTH_CHECK_BYPASS_MS` ago is taken as alive, as connection
pools do (HikariCP skips its check within 500 ms of a connection's last use): under load
every request reuses a connection that answered milliseconds before, and a connection idle
for longer is checked as Django checks it. A server restarted within that window fails the
request on such a connection once; Django then closes it and the next request opens a new
one. 0 checks every request, as Django does.

Dates and times are read by `IsoMomentLoader`: Django's loader of `timestamptz` columns is
psycopg's Python one, which parses each value with a regular expression and a dozen
conversions, a seventh of the staff API's list; `datetime.fromisoformat` reads the same text
in one call.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

_read_iso = dt.datetime.fromisoformat


class IsoMomentLoader(BaseTzLoader):  # type: ignore[misc]
    """Django's loader of `timestamptz` text, reading the ISO format PostgreSQL writes (its
    default `DateStyle`) with `datetime.fromisoformat`. The value is the same: the moment in
    the session's time zone, then given Django's `timezone` as Django's loader does. Any
    other text (another `DateStyle`, a year past 9999, BC, infinity) goes through Django's."""

    def load(self, data: Any) -> Any:
        try:
            moment = _read_iso(str(data, "ascii"))
            if moment.tzinfo is None:
                raise ValueError("a timestamptz without its offset")
            return moment.astimezone(self._timezone).replace(tzinfo=self.timezone)
        except (ValueError, OverflowError):
            return super().load(data)


@functools.cache
def iso_moment_loader(zone: dt.tzinfo | None) -> type[IsoMomentLoader]:
    """The loader for Django's `timezone` of a connection (one class per zone, as Django's)."""
    return type("SpecificIsoMomentLoader", (IsoMomentLoader,), {"timezone": zone})


class DatabaseWrapper(base.DatabaseWrapper):
    # When the connection last ended a request that used it without error.
    answered_at: float | None = None
    health_check_done: bool

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        # Django's own loader has `timezone` too: its cursors see this one as the right one.
        connection.adapters.register_loader("timestamptz", iso_moment_loader(self.timezone))
        return connection

    def close_if_unusable_or_obsolete(self) -> None:
        # Run at the start and at the end of each request: only the end of a request that
        # used the connection (checked or new) leaves `health_check_done` set.
        used = self.connection is not None and self.health_check_done
        super().close_if_unusable_or_obsolete()
        if self.connection is None or self.errors_occurred:
            self.answered_at = None
        elif used:
            self.answered_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        # Called before every cursor: the setting is read only when a check is due.
        if (
            self.connection is not None
            and not self.health_check_done
            and self.answered_at is not None
            and time.monotonic() - self.answered_at
            < settings.DATABASE_HEALTH_CHECK_BYPASS_MS / 1000
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
