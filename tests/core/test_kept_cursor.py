"""PostgreSQL: the statements compiled once run on psycopg cursors kept per connection
(core/postgresql/base.py), through Django's cursor wrapper all the same: one for the plain
statements and the `PREPARE`s, one that runs the prepared statements by the protocol's Bind
and Execute, each value read by the server as `EXECUTE`'s literal would have been."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import psycopg
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
    # The first run prepares the statement, then each runs it: one cursor for the PREPARE,
    # one for the runs, never closed.
    assert len(seen) == 5
    assert len({id(cursor) for cursor in seen[1:]}) == 1
    assert seen[1] is not seen[0]
    assert not seen[0].closed
    assert not seen[1].closed
    assert seen[0].connection is seen[1].connection is connection.connection


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


def _last_query_seen_by_the_server() -> str:
    pid = connection.connection.info.backend_pid
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        row = other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    assert row is not None
    return str(row[0])


def test_a_prepared_statement_runs_by_bind_and_execute() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    statement = _by_email()
    statement.fetchone([user.email])
    assert statement.fetchone([user.email]) == (user.pk, user.email)
    # Run by the protocol, the statement's own text is the query, not an `EXECUTE` sent.
    seen = _last_query_seen_by_the_server()
    assert seen.startswith(f"PREPARE {statement.name} AS SELECT")


_VALUES = "SELECT %s::bigint, %s::timestamptz, %s::boolean, %s::text, %s::numeric, %s::date"


@pytest.mark.parametrize(
    "values",
    [
        [
            1,
            dt.datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=dt.UTC),
            True,
            "a'b\\c%s",
            Decimal("1.50"),
            dt.date(2026, 1, 2),
        ],
        [
            2**62,
            dt.datetime(
                2026, 10, 25, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=-9, minutes=-30))
            ),
            False,
            "",
            Decimal("-0.000001"),
            dt.date(1, 1, 1),
        ],
        [-(2**40), None, None, None, None, None],
    ],
)
def test_values_read_as_the_plain_query_reads_them(values: list[Any]) -> None:
    statement = Statement(_VALUES, [0, None, None, "", Decimal(0), None], [0, 1, 2, 3, 4, 5])
    with connection.cursor() as cursor:
        cursor.execute(_VALUES, values)
        plain = cursor.fetchone()
    # Small numbers first, then large ones: the parameter's type is the server's, not the
    # first value's.
    statement.fetchone([0, None, None, "", Decimal(0), None])
    assert statement.fetchone(values) == plain
    assert statement.fetchone(values) == plain
