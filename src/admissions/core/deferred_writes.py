"""Writes of a transaction whose results it does not read, sent together at its end.

On PostgreSQL every statement is a round trip: the server wakes, parses, runs and answers,
and the web thread waits for it. A service that ends its transaction with rows it never
reads back (history lines, a queued task's row, the kept totals) collects them here and
sends them as one query of several statements: Django's PostgreSQL cursor binds values on
the client side and sends the text with the simple query protocol, which takes several
statements; the server runs them in order, in the transaction, and the first error stops
the rest and fails the query, so the transaction as before. SQLite's driver takes one
statement per call: there they run one after the other, in the same order.

Rows that are read back (a file's id, a charge's) are not for this: the statement sending
them returns nothing here, unless their ids were taken ahead (`sequences.next_numbers_and_ids`).
The writes may be collected before the transaction that runs them: what is to follow its
commit (`on_commit`) is handed to it only when they run. They may even be made before the
numbers and ids they hold are taken, with stand-ins in their place, which the transaction
takes and puts in first thing (`fill`, `sequences.TakenInTransaction`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction


def client_side_binding(connection: Any) -> bool:
    """Whether one query may carry several statements: PostgreSQL with Django's default
    client-side binding. Server-side binding (the `server_side_binding` option) prepares each
    query, and a prepared query holds one statement."""
    if connection.vendor != "postgresql":
        return False
    return not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")


# Between the statements of one query: a new line, so that a logged query reads as a list.
SEPARATOR = ";\n"


class DeferredWrites:
    """Statements (Django's `%s` style, with their values) for the database `using`, run by
    `run`, in the order added, and what is to follow the commit of the transaction that
    runs them."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using
        self.statements: list[tuple[str, Sequence[Any]]] = []
        self.after_commit: list[Callable[[], object]] = []
        self._fill: Callable[[], Mapping[object, object]] | None = None
        self._stand_ins: Collection[object] = ()
        # Where the statements' values hold a stand-in, found before their transaction.
        self._spots: list[tuple[int, int]] | None = None
        # What `fill`'s values gave, once the writes ran.
        self.filled: dict[object, object] = {}

    def add(self, sql: str, params: Sequence[Any]) -> None:
        self.statements.append((sql, params))

    def on_commit(self, hook: Callable[[], object]) -> None:
        """`hook` to run once the transaction that runs the writes commits (robust, as
        `transaction.on_commit(..., robust=True)`)."""
        self.after_commit.append(hook)

    def fill(
        self, values: Callable[[], Mapping[object, object]], stand_ins: Collection[object] = ()
    ) -> None:
        """Stand-ins in the statements' values replaced when they run, in their transaction:
        `values`, called there before any statement, gives each stand-in's replacement. A
        whole value equal to a stand-in is replaced; in a text (a JSON column's, a reference
        printed from a number), each stand-in text, the longest first, then each stand-in
        number's digits. Stand-ins must be values no other one holds or contains. A JSON
        column's value is looked into where it is sent as text (SQLite, the one engine that
        takes numbers in the transaction: `sequences.taken_in_transaction`), not where it is
        an adapter (PostgreSQL's).

        `stand_ins`, the stand-ins `values` will name, if known ahead: `run_alone` then finds
        the values that hold one before its transaction, and only those are looked at in it."""
        self._fill = values
        self._stand_ins = stand_ins

    def run(self) -> None:
        statements, self.statements = self.statements, []
        hooks, self.after_commit = self.after_commit, []
        if self._fill is not None:
            values, self._fill = self._fill, None
            spots, self._spots = self._spots, None
            self.filled = dict(values())
            if spots is None:
                spots = _holding(statements, self.filled)
            statements = _filled(statements, self.filled, spots)
        if statements:
            self._execute(statements)
        for hook in hooks:
            transaction.on_commit(hook, using=self.using, robust=True)

    def run_alone(self) -> None:
        """`run`, as a transaction of its own, from outside any: on PostgreSQL (client-side
        binding) the writes are one query, which the server runs as one transaction (the
        simple query protocol's implicit one: the first error undoes the statements before
        it), so BEGIN and COMMIT are no round trips of their own; elsewhere, or inside a
        transaction, in `transaction.atomic`."""
        connection = connections[self.using]
        if self._fill is not None and self._stand_ins:
            self._spots = _holding(self.statements, self._stand_ins)
        if (
            self._fill is not None
            or connection.in_atomic_block
            or not connection.get_autocommit()
            or not client_side_binding(connection)
        ):
            with transaction.atomic(using=self.using):
                self.run()
            return
        self.run()

    def _execute(self, statements: list[tuple[str, Sequence[Any]]]) -> None:
        connection = connections[self.using]
        with connection.cursor() as cursor:
            if len(statements) > 1 and client_side_binding(connection):
                # Each statement bound on its own (psycopg's `mogrify`, the binding `execute`
                # does), then the whole sent as it is: psycopg reads a query's placeholders
                # again on every call for a text of more than 4,096 characters or 50 values,
                # and keeps what it read for shorter ones, as each statement here is.
                cursor.execute(
                    SEPARATOR.join(cursor.mogrify(sql, params) for sql, params in statements)
                )
                return
            for sql, params in statements:
                cursor.execute(sql, params)


def _holding(
    statements: list[tuple[str, Sequence[Any]]], stand_ins: Collection[object]
) -> list[tuple[int, int]]:
    """Where `statements`' values hold one of `stand_ins`: (statement, value) positions."""
    numbers = {key for key in stand_ins if type(key) is int}
    texts = [str(key) for key in stand_ins if type(key) in (int, str)]
    shortest = min((len(text) for text in texts), default=0)
    spots: list[tuple[int, int]] = []
    for index, (_sql, params) in enumerate(statements):
        for place, value in enumerate(params):
            if type(value) is int:
                held = value in numbers
            elif isinstance(value, str):
                # Most texts (codes, names) are too short to hold one.
                held = len(value) >= shortest and any(text in value for text in texts)
            else:  # a column of values (PostgreSQL's arrays)
                held = type(value) is list and bool(_holding([("", value)], stand_ins))
            if held:
                spots.append((index, place))
    return spots


def _filled(
    statements: list[tuple[str, Sequence[Any]]],
    found: Mapping[object, object],
    spots: list[tuple[int, int]],
) -> list[tuple[str, Sequence[Any]]]:
    """`statements` with the stand-ins `found` names replaced (`DeferredWrites.fill`) in the
    values at `spots` (`_holding`)."""
    one = replacing(found)
    changed: dict[int, list[Any]] = {}
    for index, place in spots:
        params = changed.get(index)
        if params is None:
            params = changed[index] = list(statements[index][1])
        params[place] = one(params[place])
    return [(sql, changed.get(index, params)) for index, (sql, params) in enumerate(statements)]


def replacing(found: Mapping[object, object]) -> Callable[[Any], Any]:
    """What a value becomes once the stand-ins `found` names are replaced in it, as
    `DeferredWrites.fill` replaces them in the statements' values."""
    numbers = {key: value for key, value in found.items() if type(key) is int}
    texts = sorted(
        ((key, str(value)) for key, value in found.items() if type(key) is str),
        key=lambda pair: -len(pair[0]),
    )
    texts += [(str(key), str(value)) for key, value in numbers.items()]

    def one(value: Any) -> Any:
        if type(value) is list:  # a column of values (PostgreSQL's arrays)
            return [one(item) for item in value]
        if type(value) is int:
            return numbers.get(value, value)
        if isinstance(value, str):  # a rendered email's HTML is a safe string
            for old, new in texts:
                if old in value:
                    value = value.replace(old, new)
        return value

    return one
