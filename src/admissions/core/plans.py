"""Terms of a query that the database's planner must not answer from an index.

SQLite's planner weighs an index by its statistics, not by the ORDER BY ... LIMIT a query
ends with: given a filter on an indexed column, it reads every row the filter matches and
sorts them, even when an index in the query's order would stop after a few rows. A term
written through one of these expressions has the same value but no index is looked up
through it (SQLite's documented `+column` way), so the ordered index is chosen.
PostgreSQL reads them as the same values and costs the LIMIT itself.
"""

from __future__ import annotations

import re

from django.db.models import BooleanField, CharField, F, Func, IntegerField

CODE = re.compile(r"[a-z_]+")


class UnindexedNumber(Func):
    """An integer column as `+column`."""

    template = "(+%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, column: str) -> None:
        super().__init__(F(column))


class UnindexedText(Func):
    """A text column as `column || ''`."""

    template = "(%(expressions)s || '')"
    output_field = CharField()

    def __init__(self, column: str) -> None:
        super().__init__(F(column))


class InConstants(Func):
    """`column IN ('a', 'b')` with the values written into the SQL, not bound.

    SQLite uses a partial index only for a query holding its condition, and compares an IN
    list's bound parameters with the index's constants as different: a query repeating a
    partial index's `IN (...)` condition must write its constants as the index does. Only
    for fixed codes of the application (letters and underscores), never for a user's input.
    """

    output_field = BooleanField()

    def __init__(self, column: str, values: list[str]) -> None:
        for value in values:
            if not CODE.fullmatch(value):
                raise ValueError(f"not a code: {value!r}")
        listed = ", ".join(f"'{value}'" for value in values)
        self.template = f"%(expressions)s IN ({listed})"
        super().__init__(F(column))
