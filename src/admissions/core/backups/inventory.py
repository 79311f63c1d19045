"""What a database holds, read the same way from a live connection or a copied SQLite file.

Every table of an installed model is counted; the names that file fields refer to are listed
so that a backup can tell a row whose file is missing. Only DB-API cursors are used, so the
figures of a backup come from its own snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from django.apps import apps
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

# Tables that `migrate` fills by itself: an instance holding rows only there is empty.
FILLED_BY_MIGRATE = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"}
)


class Cursor(Protocol):
    def execute(self, sql: str, params: Any = ...) -> Any: ...

    def fetchall(self) -> list[Any]: ...


def _models() -> Iterator[type[models.Model]]:
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            yield model


def tables() -> list[str]:
    return sorted({model._meta.db_table for model in _models()})


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def counts(cursor: Cursor, present: Iterable[str]) -> dict[str, int]:
    """Rows of every model table among `present` (the tables the database has)."""
    found = set(present)
    result: dict[str, int] = {}
    for table in tables():
        if table in found:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - a model's table
            result[table] = int(cursor.fetchall()[0][0])
    return result


def referenced_files(cursor: Cursor, present: Iterable[str]) -> set[str]:
    """Every storage name that a file field of a row refers to."""
    found = set(present)
    names: set[str] = set()
    for model in _models():
        table = model._meta.db_table
        if table not in found:
            continue
        fields = model._meta.concrete_fields
        for field in [field for field in fields if isinstance(field, models.FileField)]:
            name = _quote(field.get_attname_column()[1] or field.name)
            cursor.execute(
                f"SELECT {name} FROM {_quote(table)} WHERE {name} IS NOT NULL AND {name} <> ''"  # noqa: S608 - a model's names
            )
            names.update(str(row[0]) for row in cursor.fetchall())
    return names


def applied_migrations(cursor: Cursor) -> dict[str, list[str]]:
    table = MigrationRecorder.Migration._meta.db_table
    cursor.execute(f"SELECT app, name FROM {_quote(table)} ORDER BY app, name")  # noqa: S608
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(str(app), []).append(str(name))
    return applied


def live_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def rows_beyond_migrate(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Tables that hold rows of their own: empty for an instance that was only migrated."""
    with connection.cursor() as cursor:
        figures = counts(cursor, live_tables(connection))
    return {
        table: count for table, count in figures.items() if count and table not in FILLED_BY_MIGRATE
    }
