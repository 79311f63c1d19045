"""Statements the ORM compiles once per process and database, then runs with each call's
values: a statement on a hot path costs the database's work, not the query's making.

The queryset is built once with marker values, which must each appear exactly once among
the compiled statement's parameters; each call puts its own values in their places. Values
are passed as the database takes them (ids, strings), and rows come back as the cursor
gives them (no field's conversion): read plain columns only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import Field, Model, QuerySet
from django.db.models.sql import InsertQuery

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


_inserts: dict[
    tuple[type[Model], str], tuple[str, list[Field[Any, Any]], list[Field[Any, Any]]]
] = {}


def _insert_sql(
    model: type[Model], obj: Model, using: str
) -> tuple[str, list[Field[Any, Any]], list[Field[Any, Any]]]:
    found = _inserts.get((model, using))
    if found is None:
        meta = model._meta
        # The columns `Model.save` writes for a new row whose id the database gives.
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        returning = list(meta.db_returning_fields)
        query = InsertQuery(model)
        query.insert_values(fields, [obj])
        compiler = query.get_compiler(using=using)
        compiler.returning_fields = returning
        [(statement, _)] = compiler.as_sql()
        found = _inserts[(model, using)] = (statement, fields, returning)
    return found


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
    statement, fields, returning = _insert_sql(type(obj), obj, using)
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    for field, value in zip(returning, row, strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using
