"""Statements the ORM compiles once per process and database, then runs with each call's
values: a statement on a hot path costs the database's work, not the query's making.

The queryset is built once with marker values, which must each appear exactly once among
the compiled statement's parameters; each call puts its own values in their places. Values
are passed as the database takes them (ids, strings), and rows come back as the cursor
gives them (no field's conversion): read plain columns only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    EmailField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    QuerySet,
    SlugField,
    SmallAutoField,
    SmallIntegerField,
    TextField,
)
from django.db.models.sql import InsertQuery

from admissions.core.keyset import Cursor
from admissions.core.prepared import Statement


class CompiledQuery:
    """A queryset built once per database with marker values (`prepared.Statement.of`),
    run as plain SQL with each call's values in their places."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *markers: object) -> None:
        self._build = build
        self._markers = markers
        self._compiled: dict[str, Statement] = {}

    def statement(self, using: str = "default") -> Statement:
        found = self._compiled.get(using)
        if found is None:
            queryset = self._build(*self._markers)
            found = self._compiled[using] = Statement.of(queryset, self._markers, using)
        return found

    def rows(self, *values: object, using: str = "default") -> list[tuple[Any, ...]]:
        statement = self.statement(using)
        with connections[using].cursor() as cursor:
            cursor.execute(statement.sql, statement.params_for(values))
            return list(cursor.fetchall())


# Markers for `Shaped`: no row's id is negative, and no text a reader sends holds a NUL.
def id_markers(count: int, start: int = 0) -> list[int]:
    """`count` distinct ids that no row has (from the `start`-th on)."""
    return [-1 - start - n for n in range(count)]


TEXT_MARKER = "\x00marker"
MOMENT_MARKER = dt.datetime(2, 2, 2, 2, 2, 2, 222222, tzinfo=dt.UTC)


def moment_value(value: dt.datetime, using: str = "default") -> Any:
    """A date and time as the database takes it among a compiled statement's parameters."""
    return connections[using].ops.adapt_datetimefield_value(value)


class Marked:
    """The markers a `Shaped` statement is built with, and the values one call puts in their
    places, gathered in the same order: each value is given once, and its marker (distinct
    from every other) is what the queryset is built with."""

    def __init__(self) -> None:
        self.markers: list[object] = []
        self.values: list[object] = []

    def id(self, value: int) -> int:
        marker = id_markers(1, len(self.markers))[0]
        self.markers.append(marker)
        self.values.append(value)
        return marker

    def text(self, value: str) -> str:
        marker = f"{TEXT_MARKER}{len(self.markers)}"
        self.markers.append(marker)
        self.values.append(value)
        return marker

    def bound(self, bound: Cursor | None) -> Cursor | None:
        """A keyset's bound (a date and time and an id) as `keyset_query` takes it."""
        if bound is None:
            return None
        moment, pk = bound
        if not isinstance(moment, dt.datetime):
            raise TypeError("the list's cursor is a date and time")
        self.markers.append(moment_value(MOMENT_MARKER))
        self.values.append(moment_value(moment))
        return MOMENT_MARKER, self.id(pk)


class Shaped:
    """Querysets whose SQL depends on more than their values (which filters are chosen, how
    many ids a list holds), compiled once per shape and database, then run as plain SQL
    with each call's values.

    A shape is a key naming all that changes the SQL; `build` makes its queryset with
    `markers` in place of the values (ids from `id_markers`, TEXT_MARKER, MOMENT_MARKER as
    `moment_value` gives it; `Marked` gathers them with the values), each found once or more
    among the compiled parameters (a keyset's bound is written three times) and equal to no
    other. Rows come back as the
    queryset would give them (its columns' conversions applied), as lists.

    On PostgreSQL each statement is prepared once per connection (`core.prepared`): planning
    the home's or the staff API's list took the server longer than running it (1.1 ms
    against 0.3 ms at 300,000 files)."""

    # Shapes kept per process at most: a bound on memory, not a figure ever reached.
    MOST = 512

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, Hashable], tuple[Statement, list[list[int]]] | None] = {}

    def _compile(
        self, queryset: QuerySet[Any, Any], markers: Sequence[object], using: str
    ) -> tuple[Statement, list[list[int]]]:
        sql, params = queryset.query.get_compiler(using).as_sql()
        values = list(params)
        places = [[i for i, value in enumerate(values) if value == m] for m in markers]
        if not all(places) or sum(map(len, places)) != len({i for p in places for i in p}):
            raise RuntimeError("a shaped statement lost one of its markers")
        slots = [position for positions in places for position in positions]
        return Statement(sql, values, slots, queryset.query), places

    def rows(
        self,
        shape: Hashable,
        build: Callable[[], QuerySet[Any, Any]],
        markers: Sequence[object],
        values: Sequence[object],
        using: str = "default",
    ) -> list[Sequence[Any]]:
        key = (using, shape)
        if key in self._compiled:
            found = self._compiled[key]
        else:
            if len(self._compiled) >= self.MOST:
                self._compiled.clear()
            try:
                found = self._compile(build(), markers, using)
            except EmptyResultSet:
                # A shape that can match nothing (an empty list of ids): no statement, as
                # the ORM sends none.
                found = None
            self._compiled[key] = found
        if found is None:
            return []
        statement, places = found
        # A value written in several places is a parameter of each (`Statement.slots`).
        spread = [value for positions, value in zip(places, values, strict=True) for _ in positions]
        read = statement.fetchall(spread, using)
        return list(statement.converted_rows(read, using))


# A field's `get_db_prep_save`, given the value and the connection.
Prepare = Callable[[Any, BaseDatabaseWrapper], Any]
_Insert = tuple[str, list[Field[Any, Any]], list[Field[Any, Any]], bool, list[Prepare]]

TEXTS = (CharField, TextField, EmailField, SlugField)
INTEGERS = (
    IntegerField,
    BigIntegerField,
    SmallIntegerField,
    PositiveIntegerField,
    PositiveBigIntegerField,
    PositiveSmallIntegerField,
)
AUTO_KEYS = (AutoField, BigAutoField, SmallAutoField)


def preparer(field: Field[Any, Any]) -> Prepare:
    """`field.get_db_prep_save`, with the steps it takes for the plain values a service writes
    (a string, a whole number, a boolean, a key, an aware moment, None) taken directly: the
    fields' chain of conversions is a good part of writing a row otherwise. A field of another
    class (a subclass included), or another value, goes through the field."""
    slow = field.get_db_prep_save
    kind = type(field)
    if kind in TEXTS:
        # CharField.to_python: a string or None is kept as it is.
        def text(value: Any, connection: BaseDatabaseWrapper) -> Any:
            return value if type(value) is str or value is None else slow(value, connection)

        return text
    if kind is BooleanField:

        def boolean(value: Any, connection: BaseDatabaseWrapper) -> Any:
            return value if type(value) is bool or value is None else slow(value, connection)

        return boolean
    if kind in INTEGERS:
        internal = field.get_internal_type()

        # IntegerField.get_db_prep_value: int(value), then the database's adaptation.
        def integer(value: Any, connection: BaseDatabaseWrapper) -> Any:
            if type(value) is int or value is None:
                return connection.ops.adapt_integerfield_value(value, internal)
            return slow(value, connection)

        return integer
    if kind in AUTO_KEYS or (
        isinstance(field, ForeignKey)
        and kind is ForeignKey
        and type(field.target_field) in AUTO_KEYS
    ):
        # An auto key's get_db_prep_value: int(value), then the database's check of it;
        # ForeignKey.get_db_prep_save: None stays None, else the target's (an auto key's).
        def key(value: Any, connection: BaseDatabaseWrapper) -> Any:
            if value is None:
                return None
            if type(value) is int:
                return connection.ops.validate_autopk_value(value)
            return slow(value, connection)

        return key
    if kind is DateTimeField:
        # DateTimeField.get_db_prep_value: an aware moment is only adapted; None stays None
        # (what both databases' adaptation gives it).
        def moment(value: Any, connection: BaseDatabaseWrapper) -> Any:
            if value is None:
                return None
            if type(value) is dt.datetime and value.utcoffset() is not None:
                return connection.ops.adapt_datetimefield_value(value)
            return slow(value, connection)

        return moment
    return slow


_inserts: dict[tuple[type[Model], str, int, bool, bool], _Insert | None] = {}
# Rows written at once by `insert_many` with one statement of their own count (a service's
# history lines: one to a few); more go through `bulk_create`.
MANY = 8


def _insert_sql(
    model: type[Model],
    objs: Sequence[Model],
    using: str,
    *,
    read_back: bool = True,
    keyed: bool = False,
) -> _Insert | None:
    """The statement, its columns, the columns it returns, whether it takes one array of
    values per column (PostgreSQL's `UNNEST` for many rows) rather than the rows' values one
    after the other, and each column's `preparer`; None where the statement takes its values
    otherwise. Without `read_back`, the statement returns nothing; `keyed`, it writes the
    rows' own ids too."""
    key = (model, using, len(objs), read_back, keyed)
    if key not in _inserts:
        meta = model._meta
        # The columns `Model.save` writes for a new row whose id the database gives, or
        # whose id is given.
        fields = [f for f in meta.local_concrete_fields if keyed or f is not meta.auto_field]
        returning = list(meta.db_returning_fields) if read_back else []
        query = InsertQuery(model)
        query.insert_values(fields, list(objs))
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = returning or None
        [(statement, params)] = compiler.as_sql()
        count = len(objs)
        by_column = (
            count > 1
            and len(params) == len(fields)
            and all(isinstance(p, list | tuple) and len(p) == count for p in params)
        )
        plain = len(params) == count * len(fields)
        prepare = [preparer(field) for field in fields]
        found = (statement, fields, returning, by_column, prepare) if by_column or plain else None
        _inserts[key] = found
    return _inserts[key]


def insert(obj: Model, *, using: str = "default") -> None:
    """Write the new row `obj` with the statement `obj.save(force_insert=True)` runs, compiled
    once per model and database, and set its id.

    For the rows a hot path creates, of models whose `save` adds nothing for a new row and
    that no `pre_save`/`post_save` receiver listens to (tests/core/test_compiled.py checks
    the models it is used for); values are plain values, not expressions.
    """
    connection = connections[using]
    if not connection.features.can_return_columns_from_insert:
        obj.save(force_insert=True, using=using)
        return
    found = _insert_sql(type(obj), [obj], using)
    if found is None:
        obj.save(force_insert=True, using=using)
        return
    statement, fields, returning, _by_column, prepare = found
    params = [
        prep(field.pre_save(obj, True), connection)
        for field, prep in zip(fields, prepare, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        # A key given by the caller (a UUID) leaves nothing to return.
        row = cursor.fetchone() if returning else ()
    _written(obj, returning, row, using)


def insert_many(objs: Sequence[Model], *, using: str = "default") -> None:
    """Write the new rows `objs` (of one model) with the one statement `bulk_create` runs,
    compiled once per model, database and count, and set their ids; as `insert`."""
    if not objs:
        return
    connection = connections[using]
    found = None
    if len(objs) <= MANY and connection.features.can_return_rows_from_bulk_insert:
        found = _insert_sql(type(objs[0]), objs, using)
    if found is None:
        type(objs[0])._default_manager.db_manager(using).bulk_create(objs)
        return
    statement, _fields, returning, _by_column, _prepare = found
    params = _many_values(found, objs, connection)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        written = cursor.fetchall()
    for obj, row in zip(objs, written, strict=True):
        _written(obj, returning, row, using)


def insert_statement(
    objs: Sequence[Model], *, using: str = "default", keyed: bool = False
) -> tuple[str, list[Any]] | None:
    """The statement and values that write the new rows `objs` (of one model, `MANY` at
    most) as `insert_many` does, returning nothing: for rows whose ids no one reads, sent
    later with other writes (`core.deferred_writes`). The rows' ids stay unset, or, `keyed`,
    are the ids the rows hold already (taken ahead, `sequences.next_numbers_and_ids`), and
    written. None where `insert_many` would go through `bulk_create`."""
    connection = connections[using]
    if not objs or len(objs) > MANY or not connection.features.can_return_rows_from_bulk_insert:
        return None
    if keyed and any(obj.pk is None for obj in objs):
        raise ValueError("a keyed row holds its id")
    found = _insert_sql(type(objs[0]), objs, using, read_back=False, keyed=keyed)
    if found is None:
        return None
    return found[0], _many_values(found, objs, connection)


def values_statement(
    model: type[Model], rows: Sequence[Mapping[str, Any]], *, using: str = "default"
) -> tuple[str, list[Any]] | None:
    """`insert_statement` for new rows given as plain values, without a model instance each:
    every column `Model.save` writes for a new row (the id aside) by its `attname`, a
    moment for an `auto_now_add` column, a related row's id for a foreign key. For rows
    made on every request whose instances no one reads (history lines): an instance costs
    more than its statement."""
    connection = connections[using]
    if not rows or len(rows) > MANY or not connection.features.can_return_rows_from_bulk_insert:
        return None
    key = (model, using, len(rows), False, False)
    found = (
        _inserts[key]
        if key in _inserts
        else _insert_sql(model, [model() for _row in rows], using, read_back=False)
    )
    if found is None:
        return None
    statement, fields, _returning, by_column, prepare = found
    pairs = list(zip([field.attname for field in fields], prepare, strict=True))
    values = [[prep(row[name], connection) for name, prep in pairs] for row in rows]
    if by_column:
        return statement, [list(column) for column in zip(*values, strict=True)]
    return statement, [value for row in values for value in row]


def _many_values(found: Any, objs: Sequence[Model], connection: Any) -> list[Any]:
    """The values of `found`'s statement (`_insert_sql`) for the new rows `objs`: row by row,
    or column by column where the statement takes arrays."""
    for obj in objs:
        # As `bulk_create`: a related row assigned before it was saved gives its id now.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    _statement, fields, _returning, by_column, prepare = found
    pairs = list(zip(fields, prepare, strict=True))
    rows = [[prep(field.pre_save(obj, True), connection) for field, prep in pairs] for obj in objs]
    if by_column:
        return [list(column) for column in zip(*rows, strict=True)]
    return [v for r in rows for v in r]


def _written(obj: Model, returning: list[Field[Any, Any]], row: Any, using: str) -> None:
    for field, value in zip(returning, row, strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using


_updates: dict[
    tuple[type[Model], str, tuple[str, ...]],
    tuple[str, list[Field[Any, Any]], list[Prepare]] | None,
] = {}


def _update_sql(
    model: type[Model], names: tuple[str, ...], using: str
) -> tuple[str, list[Field[Any, Any]], list[Prepare]] | None:
    """The statement `save(update_fields=names)` runs with the columns kept by `auto_now`
    added (as a full `save` writes them), its columns and each one's `preparer`; None where a
    column takes its value otherwise than as one parameter."""
    key = (model, using, names)
    if key not in _updates:
        meta = model._meta
        fields = [meta.get_field(name) for name in names]
        fields += [f for f in meta.local_concrete_fields if getattr(f, "auto_now", False)]
        columns: list[Field[Any, Any]] = list(dict.fromkeys(fields))  # type: ignore[arg-type]
        found = None
        if all(
            isinstance(f, Field)
            and f.concrete
            and not f.primary_key
            # A field that writes its value through SQL of its own (a geometry's).
            and not hasattr(f, "get_placeholder")
            for f in columns
        ):
            quote = connections[using].ops.quote_name
            table = quote(meta.db_table)
            assignments = ", ".join(f"{quote(cast(str, f.column))} = %s" for f in columns)
            where = f"{table}.{quote(cast(str, meta.pk.column))} = %s"
            statement = f"UPDATE {table} SET {assignments} WHERE {where}"  # noqa: S608 - names
            found = (statement, columns, [preparer(f) for f in columns])
        _updates[key] = found
    return _updates[key]


def update(obj: Model, fields: Sequence[str], *, using: str = "default") -> None:
    """Write the columns `fields` of the saved row `obj`, and those `auto_now` keeps, with the
    statement `obj.save(update_fields=...)` runs, compiled once per model, columns and
    database: making a full `save`'s UPDATE of every column was a good part of an upload's
    processor time in the ORM.

    For models whose `save` adds nothing and that no `pre_save`/`post_save` receiver listens
    to (tests/core/test_compiled.py checks the models it is used for); values are plain
    values, not expressions. The caller names every column it changed: the others keep what
    the row holds.
    """
    names = tuple(fields)
    found = _update_sql(type(obj), names, using)
    if found is None:
        kept = [f.name for f in obj._meta.local_concrete_fields if getattr(f, "auto_now", False)]
        obj.save(update_fields=dict.fromkeys([*names, *kept]), using=using)
        return
    statement, columns, prepare = found
    connection = connections[using]
    params = [
        prep(field.pre_save(obj, False), connection)
        for field, prep in zip(columns, prepare, strict=True)
    ]
    params.append(obj.pk)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        if cursor.rowcount != 1:
            # What `save(update_fields=...)` says of a row that is not there.
            raise DatabaseError("Save with update_fields did not affect any rows.")
