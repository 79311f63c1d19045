"""Emptying the decisions table after a test that commits published decisions.

Django empties the tables after a transactional test with DELETE on SQLite (TRUNCATE on
PostgreSQL, which row triggers do not see), and the database refuses to delete a published
decision. The trigger is set aside for the cleaning only, and put back as migrated.
"""

from __future__ import annotations

from importlib import import_module

from django.db import connection

IRREVOCABLE = import_module("admissions.jury.migrations.0002_published_decisions_irrevocable")


def remove_published_decisions() -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for statement in IRREVOCABLE.SQLITE_UNDO:
            cursor.execute(statement)
        cursor.execute("DELETE FROM jury_decision")
        for statement in IRREVOCABLE.SQLITE:
            cursor.execute(statement)
