"""Pages of a long list found by where they start, not by their number (keyset pagination).

A page number makes the database count every row before the page (OFFSET) and the whole
list (COUNT) on every request: the last page of 100,000 files costs as much as reading them
all. Here a page is asked for by the row it follows (`after`) or precedes (`before`), or as
the first or `last` page; an index on the order then reads only the rows shown, wherever
the page is. The order is a column, newest first, then the primary key to break ties.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet
from django.http import QueryDict

RowT = TypeVar("RowT", bound=Model)
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


def cursor_of(value: dt.datetime, pk: int) -> str:
    return f"{value.isoformat()}{SEPARATOR}{pk}"


def parse_cursor(text: str) -> tuple[dt.datetime, int] | None:
    value, _, pk = text.rpartition(SEPARATOR)
    try:
        moment = dt.datetime.fromisoformat(value)
        number = int(pk)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment, number


def keyset_page(
    rows: QuerySet[RowT], *, field: str, size: int, query: QueryDict
) -> KeysetPage[RowT]:
    """The page of `rows` (newest `field` first) that `query` asks for; a bad cursor is ignored.

    Rows whose `field` is empty are left out: they have no place in the order.
    """
    rows = rows.filter(**{f"{field}__isnull": False})
    newest_first = rows.order_by(f"-{field}", "-pk")
    oldest_first = rows.order_by(field, "pk")
    after = parse_cursor(query.get("after", ""))
    before = parse_cursor(query.get("before", ""))
    if after is not None:
        value, pk = after
        older = Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk})
        # The bound on the column alone lets the index start at the cursor.
        found = list(newest_first.filter(older, **{f"{field}__lte": value})[: size + 1])
        return _page(found[:size], field, is_first=False, is_last=len(found) <= size)
    if before is not None:
        value, pk = before
        newer = Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk})
        found = list(oldest_first.filter(newer, **{f"{field}__gte": value})[: size + 1])
        if len(found) > size:
            return _page(found[:size][::-1], field, is_first=False, is_last=False)
        # Back at the start: the first page, full.
    elif "last" in query:
        found = list(oldest_first[: size + 1])
        return _page(found[:size][::-1], field, is_first=len(found) <= size, is_last=True)
    found = list(newest_first[: size + 1])
    return _page(found[:size], field, is_first=True, is_last=len(found) <= size)


def _page(rows: list[RowT], field: str, *, is_first: bool, is_last: bool) -> KeysetPage[RowT]:
    previous = next_ = ""
    if rows and not is_first:
        previous = urlencode({"before": cursor_of(getattr(rows[0], field), rows[0].pk)})
    if rows and not is_last:
        next_ = urlencode({"after": cursor_of(getattr(rows[-1], field), rows[-1].pk)})
    return KeysetPage(
        rows=rows,
        is_first=is_first,
        is_last=is_last,
        first_query="",
        previous_query=previous,
        next_query=next_,
        last_query="last=1",
    )


def count_up_to(rows: QuerySet[RowT], limit: int) -> int:
    """How many rows, counting no further than `limit` + 1 (more than `limit` is all it says)."""
    return rows.order_by().values("pk")[: limit + 1].count()
