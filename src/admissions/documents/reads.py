"""The rows every upload reads, by statements compiled once per process and database.

An upload reads the file's row with its candidate, programme, institution and campaign
twice (to judge the sender before the body is read, then locked, to decide) and its
document's row once or twice. Built by the ORM on each call, those select-related queries
cost the web worker more than the database's work: a few milliseconds of an upload's
processor time. Here each queryset is built once with marker values (`core.compiled`),
then run as plain SQL with the call's values, and its rows are made into instances exactly
as the ORM's own iterator makes them (`ModelIterable`): the same fields loaded, the same
deferred rulebooks, the related rows in their caches.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

from admissions.applications.models import Application
from admissions.catalog.models import without_rulebooks
from admissions.core.compiled import TEXT_MARKER, id_markers
from admissions.core.prepared import Statement
from admissions.documents.models import Document

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Maker:
    """What turns one converted row into the instance and its related rows, for one
    connection: the compiler's converters, as `ModelIterable` reads them."""

    compiler: Any
    converters: Any
    start: int
    end: int
    names: list[str]
    populators: list[Any]


class CompiledModels(Generic[M]):
    """A queryset of `M` built once per database with marker values, run with each call's
    values; its first row made into an instance as the ORM would."""

    def __init__(self, build: Callable[..., QuerySet[M]], *markers: object) -> None:
        self._build = build
        self._markers = markers
        self._statements: dict[str, tuple[Statement, QuerySet[M]]] = {}
        # Django's connection object -> the maker of instances for it.
        self._makers: weakref.WeakKeyDictionary[Any, _Maker] = weakref.WeakKeyDictionary()

    def _statement(self, using: str) -> tuple[Statement, QuerySet[M]]:
        found = self._statements.get(using)
        if found is None:
            queryset = self._build(*self._markers)
            statement = Statement.of(queryset, self._markers, using)
            found = self._statements[using] = (statement, queryset)
        return found

    def _maker(self, queryset: QuerySet[M], using: str) -> _Maker:
        connection = connections[using]
        found = self._makers.get(connection)
        if found is None:
            compiler = queryset.query.get_compiler(connection=connection)
            compiler.setup_query()
            select, info = compiler.select, compiler.klass_info
            fields = info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            found = self._makers[connection] = _Maker(
                compiler=compiler,
                converters=compiler.get_converters([column for column, _sql, _as in select]),
                start=start,
                end=end,
                names=[column[0].target.attname for column in select[start:end]],
                # Django 5.2's signature; the type stubs follow a later one.
                populators=get_related_populators(info, select, using),  # type: ignore[call-arg]
            )
        return found

    def first(self, *values: object, using: str = "default") -> M | None:
        statement, queryset = self._statement(using)
        rows = statement.fetchall(values, using)
        if not rows:
            return None
        maker = self._maker(queryset, using)
        if maker.converters:
            rows = [tuple(row) for row in maker.compiler.apply_converters(rows, maker.converters)]
        row = rows[0]
        instance: M = queryset.model.from_db(using, maker.names, row[maker.start : maker.end])
        for populator in maker.populators:
            populator.populate(row, instance)
        return instance


def file_rows() -> QuerySet[Application]:
    """The file with the rows the documents read of it; the rulebooks' JSON (tens of kB
    each) is left to `rules`, which parses it once per process from its digest."""
    return Application.objects.select_related(
        "candidate", "programme", "programme__institution", "campaign"
    ).defer(*without_rulebooks("campaign", "programme__institution"))


_BY_REFERENCE = CompiledModels(
    lambda reference: file_rows().filter(reference=reference)[:1], TEXT_MARKER
)
# Only the file's row is held: the related rows are read, not locked.
_LOCKED = CompiledModels(
    lambda pk: file_rows().select_for_update(of=("self",)).filter(pk=pk).order_by()[:1],
    *id_markers(1),
)
_DOCUMENT = CompiledModels(
    lambda application, code: Document.objects.filter(
        application_id=application, requirement_code=code, translation_of__isnull=True
    )[:1],
    *id_markers(1),
    TEXT_MARKER,
)
_LOCKED_DOCUMENT = CompiledModels(
    lambda application, code: Document.objects.select_for_update().filter(
        application_id=application, requirement_code=code, translation_of__isnull=True
    )[:1],
    *id_markers(1),
    TEXT_MARKER,
)


def file_by_reference(reference: str) -> Application | None:
    """The file `reference`, as `file_rows` reads it; None when there is none."""
    return _BY_REFERENCE.first(reference)


def locked_file(pk: int) -> Application | None:
    """The file's row, fresh and locked until the transaction ends, as `file_rows` reads it."""
    return _LOCKED.first(pk)


def original_document(application_id: int, code: str, *, locked: bool = False) -> Document | None:
    """The document `code` of a file (not a translation), locked when asked."""
    return (_LOCKED_DOCUMENT if locked else _DOCUMENT).first(application_id, code)
