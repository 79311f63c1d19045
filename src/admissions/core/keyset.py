"""Pages of a long list found by where they start, not by their number (keyset pagination).

A page number makes the database count every row before the page (OFFSET) and the whole
list (COUNT) on every request: the last page of 100,000 files costs as much as reading them
all. Here a page is asked for by the row it follows (`after`) or precedes (`before`), or as
the first or `last` page; an index on the order then reads only the rows shown, wherever
the page is. The order is a column, either way, then the primary key to break ties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import DateTimeField, Q, QuerySet
from django.http import QueryDict

# A model instance, or a tuple of columns with `pk` and the order's (`values_list(named=True)`).
RowT = TypeVar("RowT")
SEPARATOR = "~"


@dataclass(frozen=True)
class KeysetPage(Generic[RowT]):
    rows: list[RowT]
    is_first: bool
    is_last: bool
    first_query: str
    previous_query: str  # "" on the first page
    next_query: str  # "" on the last page
    last_query: str


Cursor = tuple[object, int]


def cursor_of(value: object, pk: int) -> str:
    text = value.isoformat() if isinstance(value, dt.datetime) else str(value)
    return f"{text}{SEPARATOR}{pk}"


def parse_cursor(text: str, *, moment: bool = True) -> Cursor | None:
    """The (value, pk) a cursor holds; a date and time for a time column, else text."""
    value, separator, pk = text.rpartition(SEPARATOR)
    if not separator or not pk.isdigit() or len(pk) > 18:
        return None
    if not moment:
        return value, int(pk)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed, int(pk)


def _is_moment(rows: QuerySet[Any, Any], field: str) -> bool:
    return isinstance(rows.model._meta.get_field(field), DateTimeField)


# A page's read: its kind ("first", "last", "after" or "before" a cursor) and the cursor.
Read = Callable[[str, Cursor | None], list[RowT]]


def keyset_query(
    rows: QuerySet[Any, RowT],
    *,
    field: str,
    size: int,
    kind: str,
    bound: Cursor | None = None,
    descending: bool = True,
) -> QuerySet[Any, RowT]:
    """The rows of one page of `rows` and one more (whether another page follows): the
    `first` or `last` page, or the page `after` or `before` the cursor `bound`, in the
    order they are read (the `before` and `last` pages backwards)."""
    rows = rows.filter(**{f"{field}__isnull": False})
    forward = rows.order_by(f"-{field}", "-pk") if descending else rows.order_by(field, "pk")
    backward = rows.order_by(field, "pk") if descending else rows.order_by(f"-{field}", "-pk")
    # "Further" in the page order: smaller values when the largest come first.
    further, nearer = ("lt", "gt") if descending else ("gt", "lt")
    if kind == "after" and bound is not None:
        value, pk = bound
        past = Q(**{f"{field}__{further}": value}) | Q(**{field: value, f"pk__{further}": pk})
        # The bound on the column alone lets the index start at the cursor.
        return forward.filter(past, **{f"{field}__{further}e": value})[: size + 1]
    if kind == "before" and bound is not None:
        value, pk = bound
        ahead = Q(**{f"{field}__{nearer}": value}) | Q(**{field: value, f"pk__{nearer}": pk})
        return backward.filter(ahead, **{f"{field}__{nearer}e": value})[: size + 1]
    if kind == "last":
        return backward[: size + 1]
    return forward[: size + 1]


def keyset_page(
    rows: QuerySet[Any, RowT],
    *,
    field: str,
    size: int,
    query: QueryDict,
    descending: bool = True,
    cursor: Callable[[RowT], Cursor] | None = None,
    read: Read[RowT] | None = None,
) -> KeysetPage[RowT]:
    """The page of `rows` ordered by `field` (largest first unless `descending` is False)
    that `query` asks for; a bad cursor is ignored.

    Rows whose `field` is empty are left out: they have no place in the order. Rows read as
    tuples (`values_list`) give their `cursor`: the value of `field` and the id of a row.
    `read`, when given, reads the rows `keyset_query` would (a statement compiled once).
    """
    key = cursor or (lambda row: (getattr(row, field), row.pk))  # type: ignore[attr-defined]

    def by_orm(kind: str, bound: Cursor | None) -> list[RowT]:
        return list(
            keyset_query(
                rows, field=field, size=size, kind=kind, bound=bound, descending=descending
            )
        )

    fetch = read or by_orm
    moment = _is_moment(rows, field)
    after = parse_cursor(query.get("after", ""), moment=moment)
    before = parse_cursor(query.get("before", ""), moment=moment)
    if after is not None:
        found = fetch("after", after)
        return _page(found[:size], key, is_first=False, is_last=len(found) <= size)
    if before is not None:
        found = fetch("before", before)
        if len(found) > size:
            return _page(found[:size][::-1], key, is_first=False, is_last=False)
        # Back at the start: the first page, full.
    elif "last" in query:
        found = fetch("last", None)
        return _page(found[:size][::-1], key, is_first=len(found) <= size, is_last=True)
    found = fetch("first", None)
    return _page(found[:size], key, is_first=True, is_last=len(found) <= size)


def _page(
    rows: list[RowT], key: Callable[[RowT], Cursor], *, is_first: bool, is_last: bool
) -> KeysetPage[RowT]:
    previous = next_ = ""
    if rows and not is_first:
        previous = urlencode({"before": cursor_of(*key(rows[0]))})
    if rows and not is_last:
        next_ = urlencode({"after": cursor_of(*key(rows[-1]))})
    return KeysetPage(
        rows=rows,
        is_first=is_first,
        is_last=is_last,
        first_query="",
        previous_query=previous,
        next_query=next_,
        last_query="last=1",
    )


def count_up_to(rows: QuerySet[Any, Any], limit: int) -> int:
    """How many rows, counting no further than `limit` + 1 (more than `limit` is all it says)."""
    return rows.order_by().values("pk")[: limit + 1].count()
