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

A statement prepared on the connection (`PREPARE`, `core/prepared.py`) was run by sending
`EXECUTE name('value', ...)` as text: the server parsed that text, ran it as a utility
command that evaluates each value as an expression and opens a second portal, and the
client wrote each value as a quoted literal. `statement_cursor` runs it by the protocol's
Bind and Execute messages instead, as libpq's `PQexecPrepared` does: the session's statement
with the status page's version cost the server 0.25 ms instead of 0.34 ms, and the worker 0.11
ms instead of 0.17 (bench/RESULTS.md, thirteenth round). Each value is sent as text of no
declared type, so the server reads it with the input function of the type the `PREPARE`
inferred for its parameter: what the literal written in `EXECUTE`'s text gave it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper
from django.utils.asyncio import async_unsafe
from psycopg import generators
from psycopg._preparing import Prepare
from psycopg._queries import PostgresQuery
from psycopg.adapt import PyFormat, Transformer

from admissions.core.postgresql import timestamps


class _Logged:
    """The text Django's queries' log reads of a cursor's last query (`_query.query`), as a
    client-side cursor would have sent it: written only when read."""

    def __init__(self, cursor: psycopg.Cursor[Any], query: Any, params: Any) -> None:
        self._cursor = cursor
        self._text = query
        self._params = params

    @property
    def query(self) -> bytes:
        client = psycopg.ClientCursor(self._cursor.connection)
        return client.mogrify(self._text, self._params).encode()


class StatementCursor(psycopg.Cursor[Any]):
    """A psycopg cursor that runs the statement named `statement`, prepared on its connection,
    whatever query text it is given (the text is for Django's log and wrappers only): each
    value is sent in text, with no type (a NULL for None), as `EXECUTE`'s quoted literals."""

    statement = b""

    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        self._texts = Transformer(self)
        # The last query converted (its placeholders found, by psycopg), and its text.
        self._converted: PostgresQuery | None = None
        self._converted_text: Any = None

    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        texts = [self._text(value) for value in params or ()]
        if options or params is None or self._conn._pipeline:
            done = super().execute(query, texts, **options)
        else:
            try:
                with self._conn.lock:
                    self._conn.wait(self._run_gen(query, texts))
            except psycopg.errors._NO_TRACEBACK as error:
                # As psycopg's `execute`: the error itself, without the waiting's frames.
                raise error.with_traceback(None)  # noqa: B904
            done = self
        self._query = _Logged(self, query, params)  # type: ignore[assignment]
        return done

    def _run_gen(self, query: Any, texts: list[str | None]) -> Any:
        """psycopg's `_execute_gen` for a statement prepared already, outside a pipeline:
        the same steps but its preparing's book-keeping (off: Django's `prepare_threshold` is
        None, and the name is given) and the query's conversion, kept for the next run of the
        same text as `executemany` keeps it (only the values are dumped again)."""
        yield from self._start_query(query)
        converted = self._converted
        # A new text, or a new transformer (`_start_query` makes one for a new text).
        if converted is None or self._converted_text is not query or converted._tx is not self._tx:
            converted = self._converted = self._convert_query(query, texts)
            self._converted_text = query
        else:
            converted.dump(texts)
        self._pgconn.send_query_prepared(
            self.statement,
            converted.params,
            param_formats=converted.formats,
            result_format=self.format,
        )
        results = yield from generators.execute(self._pgconn)
        self._check_results(results)
        self._set_results(results)
        self._last_query = query
        yield from self._conn._prepared.maintain_gen(self._conn)

    def _text(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        dumped = self._texts.get_dumper(value, PyFormat.TEXT).dump(value)
        return bytes(dumped).decode() if dumped is not None else None

    def _get_prepared(self, pgq: Any, prepare: bool | None = None) -> tuple[Prepare, bytes]:
        # psycopg's own preparing is off (Django's `prepare_threshold` is None): the named
        # statement is there already.
        return Prepare.YES, self.statement


class DatabaseWrapper(base.DatabaseWrapper):
    # When the connection last ended a request that used it without error.
    answered_at: float | None = None
    health_check_done: bool
    # The psycopg cursor `kept_cursor` lends, made on the connection it belongs to.
    _kept: Any = None
    _kept_statement: Any = None

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

    @async_unsafe
    def statement_cursor(self, name: str) -> CursorWrapper:
        """`kept_cursor()`'s counterpart for running the statement `name`, prepared on this
        connection (by the protocol's Bind and Execute); its query text is only logged."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            kept = self._kept_statement
            if kept is None or kept.closed or kept.connection is not self.connection:
                kept = self._kept_statement = StatementCursor(self.connection)
            kept.statement = name.encode()
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
        # Called before every cursor: the setting is read only when a check is due, and once
        # checked, Django's own (which would return at once) is not called.
        if self.health_check_done and self.connection is not None:
            return
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
