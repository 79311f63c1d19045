"""The run's migrated database (tests/migrated_database.py), handed to a bench's script: it
starts from a copy of it instead of running every migration of its own."""

from __future__ import annotations

import pytest


def migrated_options(request: pytest.FixtureRequest, database: str) -> list[str]:
    """The options naming the migrated database of `database`'s engine (`--migrated-sqlite`,
    `--migrated-postgres`, see bench/staff_lists.py)."""
    if database == "postgres":
        name = request.getfixturevalue("migrated_postgres")
        return ["--migrated-postgres", request.getfixturevalue("postgres_server").url(name)]
    return ["--migrated-sqlite", str(request.getfixturevalue("migrated_sqlite"))]
