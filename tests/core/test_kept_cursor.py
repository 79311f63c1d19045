"""PostgreSQL: the statements compiled once run on one psycopg cursor kept per connection
(core/postgresql/base.py), through Django's cursor wrapper all the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from admissions.core.prepared import Statement
from admissions.people.models import User

# The kept cursor is the PostgreSQL engine's: these run in the PostgreSQL run only.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def _by_email() -> Statement:
    return Statement("SELECT id, email FROM people_user WHERE email = %s", [""], [0])


def _raw_cursors(seen: list[Any]) -> Callable[..., Any]:
    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        seen.append(context["cursor"].cursor)
        return execute(sql, params, many, context)

    return wrapper


def test_one_cursor_serves_every_statement_of_a_connection() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    statement = _by_email()
    seen: list[Any] = []
    with connection.execute_wrapper(_raw_cursors(seen)):
        for _ in range(3):
            assert statement.fetchone([user.email]) == (user.pk, user.email)
        assert statement.fetchall(["nobody@example.org"]) == []
    # The first run prepares the statement, then each runs it: one cursor, never closed.
    assert len(seen) == 5
    assert len({id(cursor) for cursor in seen}) == 1
    assert not seen[0].closed
    assert seen[0].connection is connection.connection


def test_a_new_connection_gets_a_new_cursor() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    statement = _by_email()
    seen: list[Any] = []
    with connection.execute_wrapper(_raw_cursors(seen)):
        statement.fetchone([user.email])
        connection.close()
        assert statement.fetchone([user.email]) == (user.pk, user.email)
    assert seen[0].connection.closed
    assert seen[-1] is not seen[0]
    assert seen[-1].connection is connection.connection


def test_queries_are_logged_and_errors_are_djangos() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    statement = _by_email()
    statement.fetchone([user.email])
    with CaptureQueriesContext(connection) as captured:
        statement.fetchone([user.email])
    assert [query["sql"].split()[0] for query in captured] == ["EXECUTE"]
    broken = Statement("SELECT id FROM people_user WHERE id = %s / 0", [0], [0])
    with pytest.raises(DatabaseError):
        broken.fetchone([1])
    # The same cursor answers the next statement.
    assert statement.fetchone([user.email]) == (user.pk, user.email)


def test_an_update_counts_its_rows() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    update = Statement("UPDATE people_user SET first_name = %s WHERE id = %s", ["", 0], [0, 1])
    assert update.execute(["Kept", user.pk]) == 1
    assert update.execute(["Kept", -1]) == 0
    user.refresh_from_db()
    assert user.first_name == "Kept"
