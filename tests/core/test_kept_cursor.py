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
from django.db import (
    DatabaseError,
    DataError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    connection,
)
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


# psycopg's execute for a statement prepared already, with its steps cut to those the
# statement needs (core/postgresql/base.py): what it relies on in psycopg's private parts.
def test_the_psycopg_parts_a_run_relies_on_are_there() -> None:
    from psycopg import _cursor_base, generators
    from psycopg._queries import PostgresQuery

    assert _cursor_base.execute is generators.execute
    assert psycopg.Cursor._execute_gen is _cursor_base.BaseCursor._execute_gen
    for name in ("_start_query", "_convert_query", "_check_results", "_set_results"):
        assert callable(getattr(_cursor_base.BaseCursor, name)), name
    assert callable(PostgresQuery.dump)
    assert issubclass(psycopg.Error, psycopg.errors._NO_TRACEBACK)
    statement = _by_email()
    statement.fetchone([""])
    cursor = connection.statement_cursor(statement.name).cursor
    assert cursor._conn._pipeline is None
    assert cursor._conn._prepared.prepare_threshold is None
    assert list(cursor._conn._prepared.maintain_gen(cursor._conn)) == []


def _two_runs(statement: Statement, values: list[Any]) -> tuple[Any, list[Callable[[], Any]]]:
    """The statement prepared, its psycopg cursor, and two ways to run it on that cursor: the
    statement cursor's `execute`, then psycopg's own with the same texts."""
    statement.execute([None] * len(values))
    cursor = connection.statement_cursor(statement.name).cursor
    return cursor, [
        lambda: cursor.execute(statement._execute_sql, values),
        lambda: psycopg.Cursor.execute(
            cursor, statement._execute_sql, [cursor._text(v) for v in values]
        ),
    ]


def _both_ways(statement: Statement, values: list[Any]) -> list[dict[str, Any]]:
    """The statement run by the statement cursor's `execute`, then by psycopg's own with the
    same cursor and texts: what each leaves on the cursor."""
    cursor, runs = _two_runs(statement, values)
    seen = []
    for run in runs:
        run()
        seen.append(
            {
                "status": cursor.pgresult.status if cursor.pgresult else None,
                "statusmessage": cursor.statusmessage,
                "rowcount": cursor.rowcount,
                "description": [(c.name, c.type_code) for c in cursor.description or ()],
                "last query": cursor._last_query,
                "rows": cursor.fetchall() if cursor.description else None,
                "more": cursor.nextset(),
            }
        )
    return seen


def test_a_run_leaves_the_cursor_as_psycopgs_own_execute() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    User.objects.create_user("other@example.org", password=None)
    statement = Statement("SELECT id, email FROM people_user WHERE id >= %s ORDER BY id", [0], [0])
    ours, psycopgs = _both_ways(statement, [user.pk])
    assert ours == psycopgs
    assert ours["rowcount"] == 2
    update = Statement("UPDATE people_user SET first_name = %s WHERE id = %s", ["", 0], [0, 1])
    ours, psycopgs = _both_ways(update, ["Kept", user.pk])
    assert ours == psycopgs
    assert ours["statusmessage"] == "UPDATE 1"


def test_the_query_is_converted_once_for_its_text() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    statement = _by_email()
    other = Statement("SELECT email FROM people_user WHERE id = %s", [0], [0])
    statement.fetchone([user.email])
    cursor = connection.statement_cursor(statement.name).cursor
    converted = cursor._converted
    assert statement.fetchone(["nobody@example.org"]) is None
    assert cursor._converted is converted
    assert statement.fetchone([user.email]) == (user.pk, user.email)
    assert other.fetchone([user.pk]) == (user.email,)
    assert cursor._converted is not converted
    assert statement.fetchone([user.email]) == (user.pk, user.email)


def _error_each_way(statement: Statement, values: list[Any]) -> list[BaseException]:
    _, runs = _two_runs(statement, values)
    raised = []
    for run in runs:
        with pytest.raises(psycopg.Error) as caught:
            run()
        raised.append(caught.value)
    return raised


def _frames(error: BaseException) -> list[str]:
    names = []
    frame = error.__traceback__
    while frame is not None:
        names.append(frame.tb_frame.f_code.co_name)
        frame = frame.tb_next
    return names


def test_errors_are_psycopgs_own() -> None:
    statement = Statement("SELECT 1 / %s::int", [0], [0])
    ours, psycopgs = _error_each_way(statement, [0])
    assert type(ours) is type(psycopgs) is psycopg.errors.DivisionByZero
    assert ours.sqlstate == psycopgs.sqlstate
    assert str(ours) == str(psycopgs)
    # Raised from `execute` itself, without the frames of the waiting on the server.
    assert _frames(ours) == _frames(psycopgs) == ["_error_each_way", "<lambda>", "execute"]
    # The values of another statement's placeholders: refused before anything is sent.
    statement.fetchone([1])
    cursor = connection.statement_cursor(statement.name).cursor
    raised = []
    for run in (cursor.execute, lambda sql, values: psycopg.Cursor.execute(cursor, sql, values)):
        with pytest.raises(psycopg.ProgrammingError) as caught:
            run(statement._execute_sql, [1, 2])
        raised.append(str(caught.value))
    assert raised[0] == raised[1]
    assert statement.fetchone([1]) == (1,)


def test_a_statement_error_is_djangos_and_the_connection_answers_after() -> None:
    statement = Statement("SELECT 1 / %s::int", [0], [0])
    assert statement.fetchone([1]) == (1,)
    with pytest.raises(DataError) as caught:
        statement.fetchone([0])
    assert isinstance(caught.value.__cause__, psycopg.errors.DivisionByZero)
    assert statement.fetchone([2]) == (0,)


def test_a_schema_changed_under_a_prepared_statement_fails_as_before() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE kept_changing (id int, name text)")
        cursor.execute("INSERT INTO kept_changing VALUES (1, 'one')")
    try:
        statement = Statement("SELECT * FROM kept_changing WHERE id = %s", [0], [0])
        assert statement.fetchone([1]) == (1, "one")
        settings = connection.get_connection_params()
        with psycopg.connect(**settings, autocommit=True) as other:
            other.execute("ALTER TABLE kept_changing ADD COLUMN more int")
        with pytest.raises(NotSupportedError) as caught:
            statement.fetchone([1])
        assert isinstance(caught.value.__cause__, psycopg.errors.FeatureNotSupported)
        assert "cached plan must not change result type" in str(caught.value)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE kept_changing")


def test_a_broken_connection_fails_the_statement_then_is_replaced() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    statement = _by_email()
    assert statement.fetchone([user.email]) == (user.pk, user.email)
    pid = connection.connection.info.backend_pid
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises(OperationalError):
        statement.fetchone([user.email])
    assert not connection.is_usable()
    connection.close()
    assert statement.fetchone([user.email]) == (user.pk, user.email)


def test_in_a_pipeline_the_statement_runs_through_psycopgs_execute() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    statement = _by_email()
    statement.fetchone([user.email])
    cursor = connection.statement_cursor(statement.name).cursor
    with connection.connection.pipeline():
        cursor.execute(statement._execute_sql, [user.email])
    assert cursor.fetchone() == (user.pk, user.email)


def test_reading_a_result_fails_as_djangos_cursor_fails() -> None:
    user = User.objects.create_user("kept@example.org", password=None)
    update = Statement("UPDATE people_user SET first_name = %s WHERE id = %s", ["", 0], [0, 1])
    # Rows asked of a statement that returns none: psycopg's error, made Django's.
    for _ in range(2):
        with pytest.raises(ProgrammingError) as caught:
            update.fetchone(["Kept", user.pk])
        assert type(caught.value.__cause__) is psycopg.ProgrammingError
        assert "didn't produce records" in str(caught.value)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_user SET first_name = %s WHERE id = %s", ["", user.pk])
        with pytest.raises(ProgrammingError) as plain:
            cursor.fetchone()
    assert str(plain.value) == str(caught.value)
