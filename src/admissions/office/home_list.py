"""The home's list of files, read by statements compiled once per shape.

Building the list's query through the ORM and compiling it took a tenth of the page's time
on every request, for a statement whose SQL changes only with the page asked for (first,
last, after or before a file), how many programmes the reader sees and whether a status or
a programme is chosen. Those make its shape; the ids, the chosen values and the cursor are
the statement's parameters, read from the request each time. Other filters (a search, a
waiting time...) go through the ORM as before.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.queue import Filters, filtered
from admissions.core.compiled import Marked, Shaped
from admissions.core.keyset import Cursor, KeysetPage, keyset_page, keyset_query
from admissions.office.file_rows import LIST_COLUMNS, Listed, listed_cursor

PAGE_SIZE = 50
FIELD = "submitted_at"
LISTS = Shaped()
# What `keyset_page` is given when `read` reads the rows: the queryset only names the model
# whose column orders them (made once: making a queryset of these columns costs the ORM's
# work each time).
_NAMED = Application.objects.values_list(*LIST_COLUMNS)


def list_page(programme_ids: list[int], filters: Filters, query: QueryDict) -> KeysetPage[Listed]:
    """The page of the files sent to `programme_ids` that `query` asks for, newest submitted
    first (index `application_submitted_order`), as rows of `file_rows.LIST_COLUMNS`."""
    shaped = not dataclasses.replace(filters, status="", programme=None).narrowed

    def read(kind: str, bound: Cursor | None) -> list[Listed]:
        marked = Marked()
        ids = [marked.id(pk) for pk in programme_ids]
        status = marked.text(filters.status) if filters.status else ""
        programme = marked.id(filters.programme) if filters.programme else None
        bound_marker = marked.bound(bound)

        def build() -> QuerySet[Any, Any]:
            base = Application.objects.filter(programme_id__in=ids).exclude(status=Status.DRAFT)
            chosen = Filters(status=status, programme=programme)
            return keyset_query(
                filtered(base, chosen).values_list(*LIST_COLUMNS),
                field=FIELD,
                size=PAGE_SIZE,
                kind=kind,
                bound=bound_marker,
            )

        shape = (kind, PAGE_SIZE, len(ids), bool(filters.status), bool(filters.programme))
        return LISTS.rows(shape, build, marked.markers, marked.values)

    if shaped:
        return keyset_page(
            _NAMED,
            field=FIELD,
            size=PAGE_SIZE,
            query=query,
            cursor=listed_cursor,
            read=read,
        )
    files = Application.objects.filter(programme_id__in=programme_ids).exclude(status=Status.DRAFT)
    return keyset_page(
        filtered(files, filters).values_list(*LIST_COLUMNS),
        field=FIELD,
        size=PAGE_SIZE,
        query=query,
        cursor=listed_cursor,
    )
