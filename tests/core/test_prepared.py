"""Statements planned once per connection (core/prepared.py): same rows as the plain query,
one PREPARE per connection on PostgreSQL, the plain query inside a transaction and on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from admissions.core.prepared import Statement
from admissions.people.models import User


def _statement() -> Statement:
    # A constant string with a percent sign, a constant number and two values per call.
    sql = (
        "SELECT id, email, %s, %s || 'x%%y' FROM people_user"
        " WHERE id = %s AND email = %s AND id > %s"
    )
    return Statement(sql, ["a'b", "c", 0, "", -1], [2, 3])


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_statement_returns_the_plain_query_rows(database_engine: str) -> None:
    user = User.objects.create_user("prepared@example.org", password=None)
    statement = _statement()
    with CaptureQueriesContext(connection) as first:
        row = statement.fetchone([user.pk, user.email])
    assert row == (user.pk, user.email, "a'b", "cx%y")
    assert statement.fetchone([user.pk, "someone@example.org"]) is None
    with CaptureQueriesContext(connection) as again:
        assert statement.fetchone([user.pk, user.email]) == row
    assert len(again) == 1
    if database_engine == "postgres":
        assert [query["sql"].split()[0] for query in first] == ["PREPARE", "EXECUTE"]
        assert again[0]["sql"].startswith(f"EXECUTE {statement.name}(")
        assert statement.name in _prepared_names()
        # A new connection has no statement of the old one: it prepares it again.
        connection.close()
        with CaptureQueriesContext(connection) as reconnected:
            assert statement.fetchone([user.pk, user.email]) == row
        assert [query["sql"].split()[0] for query in reconnected] == ["PREPARE", "EXECUTE"]
    else:
        assert len(first) == 1
        assert first[0]["sql"].startswith("SELECT id, email")


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_plain_query_runs(database_engine: str) -> None:
    user = User.objects.create_user("prepared@example.org", password=None)
    statement = _statement()
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert statement.fetchone([user.pk, user.email]) == (user.pk, user.email, "a'b", "cx%y")
    assert [query["sql"].split()[0] for query in captured] == ["SELECT"]
    if database_engine == "postgres":
        assert statement.name not in _prepared_names()


@pytest.mark.django_db(transaction=True)
def test_turned_off_the_plain_query_runs(settings: object) -> None:
    settings.DATABASE_PREPARED_STATEMENTS = False  # type: ignore[attr-defined]
    user = User.objects.create_user("prepared@example.org", password=None)
    with CaptureQueriesContext(connection) as captured:
        assert _statement().fetchone([user.pk, user.email]) is not None
    assert [query["sql"].split()[0] for query in captured] == ["SELECT"]
