"""SQLite statements' texts are rewritten in sqlite3's style once per text, as Django would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from django.db.utils import ConnectionHandler
from pytest_django import DjangoDbBlocker

from admissions.core.sqlite import base
from admissions.core.sqlite.base import ConvertedQueries


@pytest.fixture
def connection(tmp_path: Path, django_db_blocker: DjangoDbBlocker) -> Iterator[Any]:
    handler = ConnectionHandler(
        {"default": {"ENGINE": "admissions.core.sqlite", "NAME": str(tmp_path / "db.sqlite3")}}
    )
    with django_db_blocker.unblock():  # a database of its own, not the test database
        found: Any = handler["default"]
        with found.cursor() as cursor:
            cursor.execute("CREATE TABLE notes (value TEXT, n INTEGER)")
        yield found
        found.close()


def _django(query: str) -> str:
    """Django's own rewriting of a text with positional parameters."""
    return SQLiteCursorWrapper.convert_query(None, query)  # type: ignore[arg-type]


def test_a_statement_text_is_rewritten_once_and_then_read_back(connection: Any) -> None:
    query = "SELECT value FROM notes WHERE n = %s AND value <> %s"
    with connection.cursor() as cursor:
        cursor.execute(query, [1, "a"])
        assert (
            base.converted_queries.get(query)
            == "SELECT value FROM notes WHERE n = ? AND value <> ?"
        )
        kept = base.converted_queries.get(query)
        cursor.execute(query, [2, "b"])
        assert base.converted_queries.get(query) is kept


def test_percent_signs_are_read_as_django_reads_them(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO notes VALUES (%s, %s)", ["100%s", 1])
        cursor.execute("INSERT INTO notes VALUES ('50%%', %s)", [2])
        # Django rewrites %s inside a literal too: written %%s, it stays a literal "%s".
        cursor.execute("INSERT INTO notes VALUES ('%%s done', %s)", [3])
        # ...and a bare %s in a literal is a placeholder's mark, as Django has it.
        cursor.execute("INSERT INTO notes VALUES ('%s', 4)", [])
        for _ in range(2):  # rewritten, then read back
            cursor.execute("SELECT value FROM notes WHERE value LIKE %s ORDER BY n", ["%%"])
            assert [row[0] for row in cursor.fetchall()] == ["100%s", "50%", "%s done", "?"]
            cursor.execute("SELECT value FROM notes WHERE value = '50%%' || %s ORDER BY n", [""])
            assert [row[0] for row in cursor.fetchall()] == ["50%"]
            cursor.execute("SELECT value FROM notes WHERE n = 4 AND value = '?'")
            assert cursor.fetchall() == [("?",)]
    for query in (
        "INSERT INTO notes VALUES ('50%%', %s)",
        "INSERT INTO notes VALUES ('%%s done', %s)",
        "SELECT value FROM notes WHERE value = '50%%' || %s ORDER BY n",
    ):
        assert base.converted_queries.get(query) == _django(query)


def test_without_parameters_the_text_goes_as_it_is(connection: Any) -> None:
    # Django sends a text without parameters untouched: a percent sign stays single.
    query = "SELECT '100%' FROM notes WHERE 1 = 0"
    with connection.cursor() as cursor:
        cursor.execute(query)
        assert cursor.fetchall() == []
    assert base.converted_queries.get(query) is None


def test_many_rows_at_once(connection: Any) -> None:
    query = "INSERT INTO notes VALUES (%s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(query, [("a", 1), ("b", 2)])
        cursor.executemany(query, iter([("c", 3)]))
        cursor.execute("SELECT value FROM notes ORDER BY n")
        assert [row[0] for row in cursor.fetchall()] == ["a", "b", "c"]
    assert base.converted_queries.get(query) == "INSERT INTO notes VALUES (?, ?)"


def test_named_parameters_keep_djangos_way(connection: Any) -> None:
    query = "SELECT value FROM notes WHERE n = %(n)s OR value = %(v)s ORDER BY n"
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO notes VALUES (%(v)s, %(n)s)", [{"v": "x", "n": 1}, {"v": "y", "n": 2}]
        )
        cursor.execute(query, {"n": 1, "v": "y"})
        assert [row[0] for row in cursor.fetchall()] == ["x", "y"]
    assert base.converted_queries.get(query) is None


def test_the_kept_texts_stay_within_their_bound() -> None:
    kept = ConvertedQueries(limit=1_000)
    for n in range(500):
        query = f"SELECT {n} WHERE a = %s"
        kept.put(query, _django(query))
        assert kept.size <= 1_000
    assert 0 < len(kept) < 500
    last = "SELECT 499 WHERE a = %s"
    assert kept.get(last) == "SELECT 499 WHERE a = ?"
    # A text larger than the whole bound is not kept, and empties nothing.
    kept.put("x" * 600, "x" * 600)
    assert kept.get("x" * 600) is None
    assert kept.get(last) is not None


def test_the_process_wide_texts_are_bounded(connection: Any) -> None:
    with connection.cursor() as cursor:
        for n in range(200):
            cursor.execute(f"SELECT {n} WHERE 1 = %s {'-' * 20_000}", [1])
    assert base.converted_queries.size <= base.converted_queries.limit
