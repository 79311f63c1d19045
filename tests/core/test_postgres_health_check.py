"""PostgreSQL: a kept connection is checked before a request unless it answered a moment ago,
and a connection the server closed is opened again either way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection

from admissions.core.postgresql.base import DatabaseWrapper

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kept() -> Iterator[tuple[Any, list[int]]]:
    """A connection of its own, as a web thread keeps one, and the health checks it makes."""
    db = connection.copy()
    assert isinstance(db, DatabaseWrapper)
    # As settings.py configures a site's connections (the suite opens one per test).
    db.settings_dict = {**db.settings_dict, "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True}
    checks: list[int] = []
    usable = db.is_usable

    def counted() -> bool:
        checks.append(1)
        return bool(usable())

    db.is_usable = counted
    yield db, checks
    db.close()


def request(db: Any) -> int:
    """One request's life for the connection: Django's `close_old_connections` at its start
    and end, one statement between."""
    db.close_if_unusable_or_obsolete()
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT 41 + 1")
            return int(cursor.fetchone()[0])
    finally:
        db.close_if_unusable_or_obsolete()


def idle(db: Any, seconds: float) -> None:
    db.answered_at -= seconds


def terminate(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [db.connection.info.backend_pid])


def test_a_connection_that_just_answered_is_not_checked(kept: tuple[Any, list[int]]) -> None:
    db, checks = kept
    assert request(db) == 42  # a new connection: healthy, no check
    assert request(db) == 42
    assert request(db) == 42
    assert checks == []


def test_a_connection_idle_longer_is_checked(kept: tuple[Any, list[int]], settings: Any) -> None:
    db, checks = kept
    request(db)
    idle(db, settings.DATABASE_HEALTH_CHECK_BYPASS_MS / 1000)
    assert request(db) == 42
    assert checks == [1]
    assert request(db) == 42
    assert checks == [1]


def test_none_is_bypassed_at_zero(kept: tuple[Any, list[int]], settings: Any) -> None:
    settings.DATABASE_HEALTH_CHECK_BYPASS_MS = 0
    db, checks = kept
    request(db)
    request(db)
    request(db)
    assert checks == [1, 1]


def test_a_request_using_no_statement_does_not_renew_the_window(
    kept: tuple[Any, list[int]], settings: Any
) -> None:
    db, checks = kept
    request(db)
    idle(db, settings.DATABASE_HEALTH_CHECK_BYPASS_MS / 1000)
    # A request that reaches no statement leaves the connection as unproven as before.
    db.close_if_unusable_or_obsolete()
    db.close_if_unusable_or_obsolete()
    assert request(db) == 42
    assert checks == [1]


def test_a_connection_closed_by_the_server_while_idle_is_opened_again(
    kept: tuple[Any, list[int]], settings: Any
) -> None:
    db, checks = kept
    request(db)
    terminate(db)
    idle(db, settings.DATABASE_HEALTH_CHECK_BYPASS_MS / 1000)
    assert request(db) == 42
    assert checks == [1]


def test_a_connection_closed_within_the_window_fails_once_then_is_opened_again(
    kept: tuple[Any, list[int]],
) -> None:
    db, _ = kept
    request(db)
    terminate(db)
    with pytest.raises(OperationalError):
        request(db)
    # The error closed it at the end of that request; the next one opens a new connection.
    assert db.connection is None
    assert request(db) == 42
