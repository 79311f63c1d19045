"""Dates and times read from the database: the same values as Django's own conversions give."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.sqlite3.operations import DatabaseOperations as DjangoOperations
from psycopg.pq import Format

from admissions.core.postgresql.timestamps import UtcLoader
from admissions.core.sqlite.base import DatabaseOperations

pytestmark = pytest.mark.django_db

# What PostgreSQL writes for a timestamptz in its ISO style, and texts no ISO reader takes.
TEXTS = [
    "2026-03-01 09:30:15.123456+00",
    "2026-03-01 09:30:15+00",
    "2026-03-01 09:30:15.1+00",
    "2026-03-01 09:30:15.12345+05:30",
    "2026-07-14 08:05:00-04",
    "1900-01-01 00:00:00+00:09:21",
    "0005-06-07 08:09:10+00",
    "9999-12-31 23:59:59.999999+00",
    "10000-01-01 00:00:00+00",
    "0044-03-15 12:00:00+00 BC",
    "infinity",
    "-infinity",
]


def _read(sql: str, value: str, django_loader: bool) -> Any:
    with connection.cursor() as cursor:
        if django_loader:
            register_tzloader(connection.timezone, cursor.cursor)
        try:
            cursor.execute(sql, [value])
            return cursor.fetchone()[0]
        except Exception as error:  # the error is what is compared
            return type(error)


def _readers_agree(zone: str, style: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET TIME ZONE '{zone}'")
        cursor.execute(f"SET DateStyle TO '{style}'")
    try:
        for text in TEXTS:
            # As text, in the session's zone and style: what a column gives.
            sql = "SELECT (%s::text)::timestamptz"
            ours, django = _read(sql, text, False), _read(sql, text, True)
            assert ours == django, text
            if isinstance(ours, dt.datetime):
                assert ours.tzinfo is django.tzinfo, text
                assert repr(ours) == repr(django), text
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET TIME ZONE")
            cursor.execute("RESET DateStyle")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York"])
@pytest.mark.parametrize("style", ["ISO, MDY", "SQL, DMY", "German", "Postgres"])
def test_postgresql_reads_each_moment_as_djangos_loader(zone: str, style: str) -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(
        connection.connection.adapters.types["timestamptz"].oid, Format.TEXT
    )
    assert issubclass(loader, UtcLoader)
    _readers_agree(zone, style)


# SQLite's conversion: in the SQLite run only.
@pytest.mark.one_engine
@pytest.mark.parametrize(
    "value",
    [
        None,
        dt.datetime(2026, 3, 1, 9, 30, 15, 123456),
        dt.datetime(5, 6, 7, 8, 9, 10),
        dt.datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris")),
        "2026-03-01 09:30:15.123456",
        "2026-03-01T09:30:15+02:00",
    ],
)
def test_sqlite_gives_each_moment_its_zone_as_django_does(value: object) -> None:
    assert isinstance(connection.ops, DatabaseOperations)
    ours = connection.ops.convert_datetimefield_value(value, None, connection)
    django = DjangoOperations.convert_datetimefield_value(connection.ops, value, None, connection)
    assert ours == django
    assert repr(ours) == repr(django)
