"""The planner's statistics of rows a test writes in bulk, on PostgreSQL.

A test's rows are rolled back, never committed, so autovacuum never counts them. Between
tests, it vacuums the tables that hold only earlier tests' rolled-back rows and records
them as empty: PostgreSQL then reckons a table's rows as its pages times the rows per page
last counted, none, whatever the table holds by then. A test that writes thousands of rows
and reads them back joined is planned for tables of one row: a nested loop over every pair
of files and users, minutes (the 300 s timeout, late in a PostgreSQL run) instead of a
second (a fresh database, whose tables were never vacuumed, is planned from their size).
In service, autovacuum analyzes a table soon after such a write; such a test does it
itself, on the tables it filled.

SQLite keeps no statistics unless asked (the project never asks), so nothing is done there.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def analyze(*models: type[Model]) -> None:
    """Count the rows of the models' tables for PostgreSQL's planner, as autovacuum would.
    Within the test's transaction: ANALYZE counts the rows the transaction wrote."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
