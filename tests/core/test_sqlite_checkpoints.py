"""SQLite's checkpoints run once the writer's turn is given back, not in the commit that
holds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler
from pytest_django import DjangoDbBlocker

from admissions.core.sqlite import base

ENGINE = "admissions.core.sqlite"


def _connection(path: Path) -> Any:
    options = {"timeout": 0, "transaction_mode": "IMMEDIATE"}
    handler = ConnectionHandler(
        {"default": {"ENGINE": ENGINE, "NAME": str(path), "OPTIONS": options}}
    )
    connection: Any = handler["default"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE notes (value TEXT)")
    return connection


def _checkpoints(connection: Any, path: Path) -> list[bool]:
    """Whether the turn was held, for each checkpoint `connection` runs from now on."""
    turn = base.turn_for(str(path))
    seen: list[bool] = []

    def trace(statement: str) -> None:
        if "wal_checkpoint" in statement:
            seen.append(turn._threads.locked())

    connection.connection.set_trace_callback(trace)
    return seen


def _commit_one(connection: Any, value: str) -> None:
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO notes (value) VALUES (%s)", [value])
    connection.commit()
    connection.set_autocommit(True)


def _write_alone(connection: Any, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO notes (value) VALUES (%s)", [value])


def test_a_connection_does_not_checkpoint_as_it_commits(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    with django_db_blocker.unblock():
        connection = _connection(tmp_path / "db.sqlite3")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone() == (0,)
        connection.close()


def test_a_process_checkpoints_after_its_writes_with_the_turn_given_back(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "CHECKPOINT_EVERY", 3)
    path = tmp_path / "db.sqlite3"
    with django_db_blocker.unblock():
        connection = _connection(path)
        seen = _checkpoints(connection, path)
        _commit_one(connection, "first")
        _commit_one(connection, "second")
        assert seen == []
        # Until a checkpoint, the pages written are in the WAL only.
        size = path.stat().st_size
        _commit_one(connection, "third")
        assert seen == [False]
        assert path.stat().st_size > size
        # Writes outside a transaction count too.
        for value in ("fourth", "fifth", "sixth"):
            _write_alone(connection, value)
        assert seen == [False, False]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM notes")
            assert cursor.fetchone() == (6,)
        connection.close()


def test_a_long_wal_has_its_checkpoint_finished_in_a_turn(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "CHECKPOINT_EVERY", 1)
    path = tmp_path / "db.sqlite3"
    with django_db_blocker.unblock():
        connection = _connection(path)
        seen = _checkpoints(connection, path)
        _commit_one(connection, "first")
        # The WAL holds fewer pages than the limit: one checkpoint, outside the turn.
        assert seen == [False]
        monkeypatch.setattr(base, "RESTART_PAGES", 1)
        _commit_one(connection, "second")
        # Then one in a turn, where no writer adds pages while it copies.
        assert seen == [False, False, True]
        connection.close()


def test_a_connection_still_reading_checkpoints_at_its_next_write(
    tmp_path: Path,
    django_db_blocker: DjangoDbBlocker,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(base, "CHECKPOINT_EVERY", 3)
    path = tmp_path / "db.sqlite3"
    with django_db_blocker.unblock():
        connection = _connection(path)
        for value in ("first", "second"):
            _write_alone(connection, value)
        seen = _checkpoints(connection, path)
        # A read left open on the same connection: SQLite refuses it a checkpoint.
        reading = connection.connection.execute("SELECT value FROM notes")
        assert reading.fetchone() == ("first",)
        size = path.stat().st_size
        _write_alone(connection, "third")
        assert seen == [False]
        assert path.stat().st_size == size
        assert "checkpoint failed" not in caplog.text
        # Once the read is done, the very next write copies the WAL.
        reading.close()
        _write_alone(connection, "fourth")
        assert seen == [False, False]
        assert path.stat().st_size > size
        connection.close()
