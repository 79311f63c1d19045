"""The staff's list of files through the API, read by statements compiled once per shape and
written as JSON without a model per row.

Building the list's query through the ORM and compiling it was half of the list's time in
the worker, and validating or dumping fifty rows through pydantic a good part of the rest,
for an answer whose statement changes only with the page asked for, how many institutions
and programmes the caller's roles name, whether the token is tied to an institution, and
which of the page's filters are chosen. Those make its shape (`core.compiled.Shaped`); the
ids, the chosen values and the cursor are the statement's parameters, read from the
request each time, and the caller's roles are read again on every request. A search, a
waiting time or "late" go through the ORM as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.utils.translation import get_language
from ninja.renderers import JSONRenderer

from admissions.api.queue_json import page_json
from admissions.api.router import reverse_in_area
from admissions.applications.lifecycle import status_labels
from admissions.applications.models import Application
from admissions.applications.queue import Filters, filtered, read_filters
from admissions.applications.staff_files import FILE_ROLES, exported_files, scoped_files
from admissions.catalog.models import Programme
from admissions.core.compiled import Marked, Shaped
from admissions.core.keyset import Cursor, KeysetPage, keyset_page, keyset_query
from admissions.people.models import User
from admissions.people.permissions import programme_scope, scope_filter

PAGE_SIZE = 50
FIELD = "submitted_at"
# The columns a row of the list is made of, read as one tuple per file.
COLUMNS = (
    "pk",
    "reference",
    "status",
    "submitted_at",
    "status_changed_at",
    "programme_id",
    "programme__name_fr",
    "programme__name_en",
    "candidate__first_name",
    "candidate__last_name",
    "candidate__email",
)
LISTS = Shaped()
# The filters chosen by a value the statement takes as a parameter, by their field's name
# in `Filters`: text, or an id.
_TEXT_FILTERS = ("status", "route", "financing", "track")
_ID_FILTERS = ("programme", "campaign")
# What `keyset_page` is given when `read` reads the rows: the queryset only names the model
# whose column orders them (made once: making a queryset of these columns costs the ORM's
# work each time).
_NAMED = Application.objects.values_list(*COLUMNS)
RENDERER = JSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset={RENDERER.charset}"


def _cursor(row: Sequence[Any]) -> Cursor:
    return row[3], row[0]


def _shaped(filters: Filters) -> bool:
    """Whether the page's filters are all among those the compiled statements take."""
    plain = dataclasses.replace(
        filters,
        status="",
        programme=None,
        campaign=None,
        route="",
        nationality="",
        abroad="",
        financing="",
        track="",
        assigned_to_me=False,
    )
    return not plain.narrowed


def _page(user: User, filters: Filters, query: QueryDict, institution_id: int | None) -> Any:
    every, institutions, programmes = programme_scope(user, FILE_ROLES)

    def read(kind: str, bound: Cursor | None) -> list[Sequence[Any]]:
        marked = Marked()
        institution_markers = [marked.id(pk) for pk in institutions]
        programme_markers = [marked.id(pk) for pk in programmes]
        bound_institution = None if institution_id is None else marked.id(institution_id)
        chosen: dict[str, Any] = {}
        for name in _TEXT_FILTERS:
            if value := getattr(filters, name):
                chosen[name] = marked.text(value)
        for name in _ID_FILTERS:
            if value := getattr(filters, name):
                chosen[name] = marked.id(value)
        reader = marked.id(user.pk) if filters.assigned_to_me else None
        bound_marker = marked.bound(bound)
        # Two values each: they are part of the shape, not parameters.
        chosen["nationality"] = filters.nationality
        chosen["abroad"] = filters.abroad
        chosen["assigned_to_me"] = filters.assigned_to_me

        def build() -> QuerySet[Any, Any]:
            scope = Programme.objects.filter(
                scope_filter(every, institution_markers, programme_markers)
            ).values("pk")
            files = scoped_files(user, programme_ids=scope)
            if bound_institution is not None:
                files = files.filter(programme__institution_id=bound_institution)
            return keyset_query(
                filtered(files, Filters(**chosen), reader_id=reader).values_list(*COLUMNS),
                field=FIELD,
                size=PAGE_SIZE,
                kind=kind,
                bound=bound_marker,
            )

        shape = (
            kind,
            PAGE_SIZE,
            every,
            len(institutions),
            len(programmes),
            institution_id is not None,
            tuple(sorted(name for name in chosen if name in _TEXT_FILTERS + _ID_FILTERS)),
            filters.nationality,
            filters.abroad,
            filters.assigned_to_me,
        )
        return LISTS.rows(shape, build, marked.markers, marked.values)

    if _shaped(filters):
        return keyset_page(
            _NAMED, field=FIELD, size=PAGE_SIZE, query=query, cursor=_cursor, read=read
        )
    files = exported_files(user, query, institution_id=institution_id)
    return keyset_page(
        files.values_list(*COLUMNS), field=FIELD, size=PAGE_SIZE, query=query, cursor=_cursor
    )


def _link(url: str, filters: str, query: str) -> str:
    """The list's `url` with the `filters` asked for (as a query string) and a page's `query`."""
    joined = "&".join(part for part in (filters, query) if part)
    return f"{url}?{joined}" if joined else url


def queue_answer(user: User, query: QueryDict, institution_id: int | None) -> HttpResponse:
    """The page of the caller's files that `query` asks for, as `staff.QueuePageOut`'s JSON
    (each field in the schema's order)."""
    filters = read_filters(query)
    page: KeysetPage[Sequence[Any]] = _page(user, filters, query, institution_id)
    asked = filters.query
    # The list links to itself: reversed in its own area, which the request has loaded.
    url = reverse_in_area("admissions.api.staff.router", "staff_files")
    links = {
        "next": _link(url, asked, page.next_query) if page.next_query else None,
        "previous": _link(url, asked, page.previous_query) if page.previous_query else None,
        "first": _link(url, asked, page.first_query),
        "last": _link(url, asked, page.last_query),
    }
    body = page_json(
        page.rows,
        labels=status_labels(),
        english=(get_language() or "fr").startswith("en"),
        links=links,
    )
    return HttpResponse(body, content_type=CONTENT_TYPE)
