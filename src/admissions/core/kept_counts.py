"""Counters kept as rows: add to many rows in one statement, making the rows missing.

`INSERT ... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n` on SQLite and PostgreSQL:
two writers adding to one row at once wait for each other on that row, and neither loses
its count. Rows are written in key order, so that two writers meet them in the same order.

Within `deferred_into`, the statements are handed to a `DeferredWrites` instead of being
run: a service that ends its transaction with its totals sends them with its other last
writes (`history.Batch`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from django.db import connection, models

from admissions.core.deferred_writes import DeferredWrites

_deferred: ContextVar[DeferredWrites | None] = ContextVar("kept_counts_deferred", default=None)


@contextmanager
def deferred_into(writes: DeferredWrites) -> Iterator[None]:
    """The totals added meanwhile go to `writes`, run by its owner. What is written there is
    not seen by a read made meanwhile: a total read back must not follow one that writes it
    in the same `writes`."""
    token = _deferred.set(writes)
    try:
        yield
    finally:
        _deferred.reset(token)


def add_up(
    model: type[models.Model],
    keys: Sequence[str],
    counts: Mapping[Any, Sequence[int]],
    values: Sequence[str] = ("files",),
    also: Sequence[str] = (),
) -> None:
    """Add each of `counts` (one number per field of `values`) to the row of `model` whose
    `keys` fields hold the key. Foreign keys are named as fields, given as ids.

    Fields named in `also` are written when a row is made, not matched: their values follow
    the keys' in each key tuple (a file's campaign, beside the file that identifies the row).
    """
    rows = sorted((key, numbers) for key, numbers in counts.items() if any(numbers))
    if not rows:
        return
    # Kept for the few rows of one file's event; work in bulk makes its one statement.
    build = _statement if len(rows) <= KEPT_ROWS else _statement.__wrapped__
    sql = build(model, tuple(keys), tuple(values), tuple(also), len(rows), connection.vendor)
    params = [value for key, numbers in rows for value in (*key, *numbers)]
    deferred = _deferred.get()
    if deferred is not None:
        deferred.add(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# A few shapes, each written by every file created or paid: made once per process.
KEPT_ROWS = 8


@lru_cache(maxsize=256)
def _statement(
    model: type[models.Model],
    keys: tuple[str, ...],
    values: tuple[str, ...],
    also: tuple[str, ...],
    count: int,
    vendor: str,
) -> str:
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    key_columns = [ops.quote_name(_column(model, name)) for name in keys]
    made_columns = key_columns + [ops.quote_name(_column(model, name)) for name in also]
    value_columns = [ops.quote_name(_column(model, name)) for name in values]
    width = len(made_columns) + len(values)
    marks = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * count)
    names = ", ".join(key_columns)
    made = ", ".join(made_columns)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in value_columns)
    _ = vendor  # part of the key: the quoting of names is the database's
    return (
        f"INSERT INTO {table} ({made}, {', '.join(value_columns)}) VALUES {marks} "  # noqa: S608 - names, not input
        f"ON CONFLICT ({names}) DO UPDATE SET {sets}"
    )


def _column(model: type[models.Model], name: str) -> str:
    column = getattr(model._meta.get_field(name), "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return column
