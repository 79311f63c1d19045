"""Read statements the ORM compiles once per process and database, then runs with each
call's values: a statement on a hot path costs the database's work, not the query's making.

The queryset is built once with marker values, which must each appear exactly once among
the compiled statement's parameters; each call puts its own values in their places. Values
are passed as the database takes them (ids, strings), and rows come back as the cursor
gives them (no field's conversion): read plain columns only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *markers: object) -> None:
        self._build = build
        self._markers = markers
        self._compiled: dict[str, tuple[str, list[Any], list[int]]] = {}

    def sql(self, using: str = "default") -> tuple[str, list[Any], list[int]]:
        found = self._compiled.get(using)
        if found is None:
            sql, params = self._build(*self._markers).query.get_compiler(using).as_sql()
            values = list(params)
            places = []
            for marker in self._markers:
                at = [i for i, value in enumerate(values) if value == marker]
                if len(at) != 1:
                    raise RuntimeError(f"the compiled statement lost its parameter {marker!r}")
                places.append(at[0])
            found = self._compiled[using] = (sql, values, places)
        return found

    def rows(self, *values: object, using: str = "default") -> list[tuple[Any, ...]]:
        sql, template, places = self.sql(using)
        params = list(template)
        for place, value in zip(places, values, strict=True):
            params[place] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
