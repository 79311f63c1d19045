"""SQLite writers wait their turn for the database instead of polling for its lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from django.db.utils import ConnectionHandler
from pytest_django import DjangoDbBlocker


def _handler(path: Path, engine: str) -> ConnectionHandler:
    # No busy handler at all: a writer that found the database locked would fail at once.
    options = {"timeout": 0, "transaction_mode": "IMMEDIATE"}
    return ConnectionHandler({"default": {"ENGINE": engine, "NAME": str(path), "OPTIONS": options}})


def _write(handler: ConnectionHandler, value: str, hold: float, log: list[str]) -> None:
    connection: Any = handler["default"]
    try:
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        log.append(f"begin {value}")
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO notes (value) VALUES (%s)", [value])
        time.sleep(hold)
        connection.commit()
        log.append(f"commit {value}")
        connection.set_autocommit(True)
    except Exception as error:
        log.append(f"failed {value}: {error}")
    finally:
        connection.close()


def _two_writers(tmp_path: Path, engine: str) -> tuple[list[str], list[str]]:
    handler = _handler(tmp_path / "db.sqlite3", engine)
    setup: Any = handler["default"]
    with setup.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE notes (value TEXT)")
    log: list[str] = []
    first = threading.Thread(target=_write, args=(handler, "first", 0.3, log))
    first.start()
    while "begin first" not in log:
        time.sleep(0.01)
    second = threading.Thread(target=_write, args=(handler, "second", 0, log))
    second.start()
    first.join(timeout=10)
    second.join(timeout=10)
    with setup.cursor() as cursor:
        cursor.execute("SELECT value FROM notes ORDER BY rowid")
        rows = [row[0] for row in cursor.fetchall()]
    setup.close()
    return log, rows


def test_a_second_writer_waits_for_the_first_to_commit(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    with django_db_blocker.unblock():  # a database of its own, not the test database
        log, rows = _two_writers(tmp_path, "admissions.core.sqlite")
    assert log == ["begin first", "commit first", "begin second", "commit second"]
    assert rows == ["first", "second"]
    assert (tmp_path / "db.sqlite3-writer.lock").exists()


def test_without_turns_the_second_writer_finds_the_database_locked(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    with django_db_blocker.unblock():
        log, rows = _two_writers(tmp_path, "django.db.backends.sqlite3")
    assert log[1].startswith("failed second: database is locked")
    assert rows == ["first"]


def _write_alone(handler: ConnectionHandler, value: str, log: list[str]) -> None:
    """One INSERT in autocommit, as a queued task's row or a saved session is written."""
    connection: Any = handler["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO notes (value) VALUES (%s)", [value])
        log.append(f"wrote {value}")
    except Exception as error:
        log.append(f"failed {value}: {error}")
    finally:
        connection.close()


def test_a_write_outside_a_transaction_waits_for_the_turn_too(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    with django_db_blocker.unblock():
        handler = _handler(tmp_path / "db.sqlite3", "admissions.core.sqlite")
        setup: Any = handler["default"]
        with setup.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("CREATE TABLE notes (value TEXT)")
        log: list[str] = []
        first = threading.Thread(target=_write, args=(handler, "first", 0.3, log))
        first.start()
        while "begin first" not in log:
            time.sleep(0.01)
        second = threading.Thread(target=_write_alone, args=(handler, "second", log))
        second.start()
        first.join(timeout=10)
        second.join(timeout=10)
        with setup.cursor() as cursor:
            cursor.execute("SELECT value FROM notes ORDER BY rowid")
            rows = [row[0] for row in cursor.fetchall()]
        setup.close()
    # Without the turn, the INSERT would find the database locked at once (no busy handler).
    assert log == ["begin first", "commit first", "wrote second"]
    assert rows == ["first", "second"]
