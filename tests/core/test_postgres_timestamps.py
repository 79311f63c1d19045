"""PostgreSQL: times with a time zone come out exactly as Django's loader gives them, read in
C when the server writes them in UTC, and through Django's loader otherwise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from admissions.core.postgresql.timestamps import UtcLoader

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]

TEXTS = [
    "2026-12-07 07:14:41.123456+00",
    "2026-12-07 07:14:41+00",
    "2026-12-07 07:14:41.5+00",
    "0001-01-02 00:00:00+00",
    "9999-12-30 23:59:59.999999+00",
    "2026-03-29 01:30:00+01",
    "1850-01-01 00:00:00+00:09:21",
]
OUT_OF_RANGE = ["infinity", "-infinity", "0044-03-15 00:00:00+00 BC"]


class DjangosLoader(BaseTzLoader):  # type: ignore[misc]
    timezone = dt.UTC


def read(values: list[str], zone: str = "UTC") -> list[Any]:
    """Each of `values` as the server writes it as a `timestamptz` in the time zone `zone`,
    then read back by the connection's loader."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE %s", [zone])
        cursor.execute(
            "SELECT value::timestamptz, value::timestamptz::text FROM unnest(%s::text[]) value",
            [values],
        )
        return list(cursor.fetchall())


def test_the_connection_reads_times_with_the_loader() -> None:
    connection.ensure_connection()
    assert connection.connection.adapters.get_loader(1184, Format.TEXT) is UtcLoader


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Europe/London"])
def test_the_same_values_as_djangos_loader(zone: str) -> None:
    mine = read(TEXTS, zone)
    connection.ensure_connection()
    adapters = connection.connection.adapters
    adapters.register_loader("timestamptz", DjangosLoader)
    try:
        theirs = read(TEXTS, zone)
    finally:
        adapters.register_loader("timestamptz", UtcLoader)
    assert [repr(value) for value in mine] == [repr(value) for value in theirs]
    assert all(value.tzinfo is dt.UTC for value, _text in mine)
    if zone == "UTC":
        # The values the shortcut reads: the server writes them with `+00`.
        assert all(text.endswith("+00") for _value, text in mine)


@pytest.mark.parametrize("text", OUT_OF_RANGE)
def test_out_of_range_values_fail_as_with_djangos_loader(text: str) -> None:
    with pytest.raises(DataError) as mine:
        read([text])
    connection.ensure_connection()
    adapters = connection.connection.adapters
    adapters.register_loader("timestamptz", DjangosLoader)
    try:
        with pytest.raises(DataError) as theirs:
            read([text])
    finally:
        adapters.register_loader("timestamptz", UtcLoader)
    assert str(mine.value) == str(theirs.value)


def test_the_loader_reads_the_text_of_a_value_in_utc() -> None:
    loader = UtcLoader(1184, connection.connection)
    value = loader.load(b"2026-12-07 07:14:41.123456+00")
    assert value == dt.datetime(2026, 12, 7, 7, 14, 41, 123456, tzinfo=dt.UTC)
    assert value.tzinfo is dt.UTC
