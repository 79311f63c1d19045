"""Statements run on every request, planned once per database connection.

Django sends each query to PostgreSQL as text with its values inlined (client-side binding,
no prepared statements), so the server parses and plans it on every call. For a large
statement run on every request (the status page's version: 12.6 ms of planning against
1.5 ms of execution at 100,000 files) the planning is most of the server's work. A statement
here is prepared (`PREPARE`) once per connection, its constants inlined, the request's
values as parameters, then run with `EXECUTE` through Django's cursor (counted and logged as
any other query; the site's engine sends it by the protocol's Bind and Execute, not as
`EXECUTE`'s text: `core/postgresql/base.py`). SQLite keeps compiled statements by their
text already (the sqlite3 module's statement cache): there, and inside a transaction (where
a failed `PREPARE` would end it, and a rolled-back one is undone), the statement runs as it
is.
`ADMISSIONS_DATABASE_PREPARED_STATEMENTS=false` turns it off, for a pooler in transaction
mode that hands one client's statements to another server connection.
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query

# Django's placeholders and escaped percent signs, in the order they appear.
_MARKS = re.compile(r"%(s|%)")
# psycopg's connection object -> names prepared on it (a new connection starts with none).
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


class Statement:
    """One query compiled by Django, with the positions of the values each call supplies.

    `sql` and `params` are the compiler's output for placeholder values; `slots` are the
    indexes in `params` that each call fills, in the order `fetchone` receives them.
    """

    def __init__(
        self, sql: str, params: Sequence[Any], slots: Sequence[int], query: Query | None = None
    ) -> None:
        self.sql = sql
        self.params = list(params)
        self.slots = list(slots)
        self.name = "adm_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
        self._execute_sql = f"EXECUTE {self.name}({', '.join(['%s'] * len(self.slots))})"
        self._query = query
        # Django's connection object -> the compiler and converters of the columns for it.
        self._converters: weakref.WeakKeyDictionary[Any, tuple[Any, list[Any]]] = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def of(cls, queryset: QuerySet[Any, Any], placeholders: Sequence[Any], using: str) -> Statement:
        """`queryset` compiled for `using`; `placeholders` are values it was built with (as
        the database receives them), each found once in its parameters, which each call
        replaces by its own."""
        sql, params = queryset.query.get_compiler(using).as_sql()
        return cls.placed(sql, params, placeholders, queryset.query)

    @classmethod
    def placed(
        cls,
        sql: str,
        params: Sequence[Any],
        placeholders: Sequence[Any],
        query: Query | None = None,
    ) -> Statement:
        """`sql` with `params` as compiled, each of `placeholders` found once among them and
        replaced by each call's own value."""
        values = list(params)
        slots = []
        for placeholder in placeholders:
            found = [i for i, value in enumerate(values) if value == placeholder]
            if len(found) != 1:
                raise RuntimeError(f"a compiled statement lost its parameter {placeholder!r}")
            slots.append(found[0])
        return cls(sql, values, slots, query)

    def converted(self, row: tuple[Any, ...], using: str = "default") -> list[Any]:
        """`row` as the ORM returns its values (aware times, booleans...): the converters of
        each column applied, as the queryset this statement was compiled from would."""
        converted: list[Any] = self.converted_rows([row], using)[0]
        return converted

    def converted_rows(
        self, rows: Sequence[tuple[Any, ...]], using: str = "default"
    ) -> list[list[Any]]:
        """`converted` for each of `rows`, the converters looked up once."""
        if self._query is None:
            raise RuntimeError("a statement from plain SQL has no columns to convert")
        connection = connections[using]
        found = self._converters.get(connection)
        if found is None:
            compiler = self._query.get_compiler(connection=connection)
            compiler.setup_query()
            columns = [column for column, _sql, _alias in compiler.select]
            found = self._converters[connection] = (compiler, compiler.get_converters(columns))
        compiler, converters = found
        if not converters:
            return [list(row) for row in rows]
        return [list(row) for row in compiler.apply_converters(rows, converters)]

    def params_for(self, values: Sequence[Any]) -> list[Any]:
        """The compiled parameters with each call's `values` in their slots."""
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        return params

    def _prepare_sql(self, raw: Any) -> str:
        """`PREPARE` text: the constants inlined as literals, the slots as $1, $2..."""
        from psycopg import sql as pgsql

        numbers = {slot: n for n, slot in enumerate(self.slots, start=1)}
        parts = []
        position = 0
        index = 0
        for mark in _MARKS.finditer(self.sql):
            parts.append(self.sql[position : mark.start()])
            if mark.group(1) == "%":
                parts.append("%")
            elif index in numbers:
                parts.append(f"${numbers[index]}")
                index += 1
            else:
                parts.append(pgsql.Literal(self.params[index]).as_string(raw))
                index += 1
            position = mark.end()
        parts.append(self.sql[position:])
        if index != len(self.params):
            raise RuntimeError("a prepared statement's placeholders do not match its values")
        return f"PREPARE {self.name} AS {''.join(parts)}"

    def fetchone(self, values: Sequence[Any], using: str = "default") -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._run(values, using, _one)
        return row

    def fetchall(self, values: Sequence[Any], using: str = "default") -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self._run(values, using, _all)
        return rows

    def execute(self, values: Sequence[Any], using: str = "default") -> int:
        """Run a statement that returns no rows (an UPDATE); the rows it touched."""
        count: int = self._run(values, using, _count)
        return count

    def _run(self, values: Sequence[Any], using: str, read: Callable[[Any], Any]) -> Any:
        connection: Any = connections[using]
        # The site's PostgreSQL engine keeps one cursor per connection (core/postgresql).
        kept = getattr(connection, "kept_cursor", None)
        if kept is None:
            with connection.cursor() as cursor:
                self._execute(cursor, values, connection)
                return read(cursor)
        if self._prepares(connection):
            # Run by the protocol's Bind and Execute, not `EXECUTE`'s text (core/postgresql);
            # the PREPARE, once per connection, on the other kept cursor.
            cursor = connection.statement_cursor(self.name)
            self._prepare(kept, connection)
            cursor.execute(self._execute_sql, list(values))
        else:
            cursor = kept()
            self._execute(cursor, values, connection)
        # Read from the psycopg cursor, its errors made Django's as the cursor wrapper makes
        # them (its `fetchone` is the psycopg cursor's wrapped in a new function each time).
        with connection.wrap_database_errors:
            return read(cursor.cursor)

    def _prepares(self, connection: Any) -> bool:
        return (
            connection.vendor == "postgresql"
            and settings.DATABASE_PREPARED_STATEMENTS
            and not connection.in_atomic_block
        )

    def _prepare(self, cursor: Callable[[], Any], connection: Any) -> None:
        """PREPARE on `cursor()` unless done on this connection."""
        raw = connection.connection
        names = _prepared.setdefault(raw, set())
        if self.name not in names:
            cursor().execute(self._prepare_sql(raw))
            names.add(self.name)

    def _execute(self, cursor: Any, values: Sequence[Any], connection: Any) -> None:
        if not self._prepares(connection):
            cursor.execute(self.sql, self.params_for(values))
            return
        self._prepare(lambda: cursor, connection)
        cursor.execute(self._execute_sql, list(values))


def _one(cursor: Any) -> Any:
    return cursor.fetchone()


def _all(cursor: Any) -> Any:
    return list(cursor.fetchall())


def _count(cursor: Any) -> int:
    return int(cursor.rowcount)
