"""A database the `migrate` command built, once per test process, for the tests that install
an instance of their own in a child process (a backup's target, a scheduler's site).

Running every migration takes a child process about ten seconds of processor time; each such
instance starts from a copy of the one migrated database instead: the same tables, rows and
recorded migrations as a `migrate` of its own would leave.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from tests.core.processes import environment, manage


def _migrate(folder: Path, database_url: str) -> None:
    env = environment(folder, DATABASE_URL=database_url, TASKS="immediate")
    done = manage(env, "migrate", "--no-input", "-v0", timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated SQLite database's file; `copy_sqlite` gives a test its own."""
    folder = tmp_path_factory.mktemp("migrated")
    database = folder / "admissions.sqlite3"
    _migrate(folder, f"sqlite:///{database}")
    return database


def copy_sqlite(migrated: Path, target: Path) -> None:
    """A copy of the migrated database at `target`, through SQLite's backup (whole pages,
    whatever a write-ahead log still held)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(migrated)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


@pytest.fixture(scope="session")
def migrated_postgres(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The name of a migrated database on the run's PostgreSQL cluster, to be named as the
    TEMPLATE of a test's own database (no session is left open on it)."""
    server = request.getfixturevalue("postgres_server")
    name = f"migrated_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _migrate(tmp_path_factory.mktemp("migrated"), server.url(name))
        yield name
    finally:
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
