from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_each_sqlite_connection_keeps_a_small_page_cache() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (size,) = cursor.fetchone()
    # Negative: KiB rather than pages. 256 KiB per thread of a web worker, not SQLite's 2 MiB.
    assert size == -256
