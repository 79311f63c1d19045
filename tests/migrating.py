"""Moving the test database's schema to a migration and back, for the tests of a migration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    """Going back to a migration also takes away the later ones (of its app and of the apps
    that depend on it): the tests that run next in this process need every table."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
