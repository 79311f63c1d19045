"""PostgreSQL without a `SELECT 1` before each request on a connection that just answered,
with times read by Python's ISO parser on a connection in UTC (`timestamps.py`), and one
cursor kept per connection for the statements compiled once (`core/prepared.py`).

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

Django makes a new psycopg cursor for every statement, and psycopg's cursor finds the loader
of each column's type on its first result: for the session's statement run on every request
(its user's columns, the page's version), about 35 µs of a kept status page's 0.9 ms, the
cursor's own making and closing 15 µs more. `kept_cursor` gives Django's cursor wrapper (the
execute wrappers, the queries' log when it is on, the errors as Django's) around one psycopg
cursor kept for the connection it was made on (holding its last result until the next
statement); the health check and the opening of the connection are `cursor()`'s own.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper
from django.utils.asyncio import async_unsafe

from admissions.core.postgresql import timestamps


class DatabaseWrapper(base.DatabaseWrapper):
    # When the connection last ended a request that used it without error.
    answered_at: float | None = None
    health_check_done: bool
    # The psycopg cursor `kept_cursor` lends, made on the connection it belongs to.
    _kept: Any = None

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        # Django's template registers its loader for the connection's time zone: in UTC,
        # the same loader reading `+00` values in C.
        if "context" in params and self.timezone is dt.UTC:
            params["context"] = timestamps.adapters(params["context"])
        return params

    @async_unsafe
    def kept_cursor(self) -> CursorWrapper:
        """`cursor()`, over the psycopg cursor kept for this connection: never closed by its
        user (a `with` block would close it)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            kept = self._kept
            if kept is None or kept.closed or kept.connection is not self.connection:
                kept = self._kept = self.create_cursor()
            # Django's `_prepare_cursor`.
            self.validate_thread_sharing()
            if self.queries_logged:
                return self.make_debug_cursor(kept)
            return self.make_cursor(kept)

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
