"""Unique numbers that need not be gapless, taken without waiting for other transactions.

File references and the creditor references of bank transfers must never repeat, but a
number lost by a transaction that rolled back may stay lost. Taking them from a gapless
`Counter` would make every transaction that numbers something wait until the previous one
commits, since the counter's row stays locked until then: new files would be created one at
a time. Receipts and invoices, which must be gapless, keep their `Counter`.

On PostgreSQL each key is a real sequence: `nextval` never waits and is never rolled back.
It is created the first time its key is used, starting after the value the key's `Counter`
row reached, if any, so that numbers taken before never come again. On SQLite one writer at
a time holds the whole database, so the key's `Counter` row costs no extra wait.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Model

from admissions.core.models import Counter

# Sequences known to exist (their creation committed): no need to look them up again.
_existing: set[str] = set()
_lock = threading.Lock()


def sequence_name(key: str) -> str:
    """A PostgreSQL identifier for a key of any length and alphabet."""
    return "admissions_seq_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def next_number(key: str) -> int:
    """The next number of `key`: unique, increasing, possibly with gaps."""
    if connection.vendor != "postgresql":
        return Counter.next_value(key)
    name = sequence_name(key)
    if name not in _existing:
        _ensure(key, name)
    try:
        # A savepoint: a sequence known but gone (a database restored from before it, a
        # creation whose "commit" was only a test's) is created again instead of failing.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [name])
            return int(cursor.fetchone()[0])
    except DatabaseError:
        _existing.discard(name)
    _ensure(key, name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [name])
        return int(cursor.fetchone()[0])


def next_numbers_and_ids(
    keys: list[str], models: Sequence[type[Model]] = ()
) -> tuple[list[int], list[int]]:
    """The next number of each of `keys` (distinct), as one call of `next_number` per key
    gives, and an id for a new row of each of `models` (distinct), which no row takes
    otherwise: a service that knows its rows' ids before its transaction makes their values
    before it, and sends them with nothing to read back (`history.Batch`).

    Call it before the transaction that uses them. On PostgreSQL one statement: the keys'
    sequences and the tables' own (`nextval` waits for no transaction). On SQLite a short
    write of its own: the keys' counter rows, and each table's entry in `sqlite_sequence`
    moved on by one, so that the table's next automatic id comes after the one taken
    (Django's SQLite tables are `AUTOINCREMENT`, whose ids are counted there).
    """
    if connection.vendor != "postgresql":
        with transaction.atomic(savepoint=False):
            numbers = Counter.next_values(keys) if keys else []
            return numbers, _sqlite_ids([model._meta.db_table for model in models])
    names = [sequence_name(key) for key in keys]
    for key, name in zip(keys, names, strict=True):
        if name not in _existing:
            _ensure(key, name)
    quote = connection.ops.quote_name
    ids = [(quote(model._meta.db_table), model._meta.pk.column) for model in models]
    select = "SELECT " + ", ".join(
        ["nextval(%s)"] * len(names) + ["nextval(pg_get_serial_sequence(%s, %s))"] * len(ids)
    )
    params = [*names, *(value for pair in ids for value in pair)]
    # In a transaction, a savepoint, as in `next_number`; alone, a failed statement undoes
    # nothing else.
    saved = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with saved, connection.cursor() as cursor:
            cursor.execute(select, params)
            found = [int(number) for number in cursor.fetchone()]
    except DatabaseError:
        for name in names:
            _existing.discard(name)
        for key, name in zip(keys, names, strict=True):
            _ensure(key, name)
        with connection.cursor() as cursor:
            cursor.execute(select, params)
            found = [int(number) for number in cursor.fetchone()]
    return found[: len(names)], found[len(names) :]


# Stand-ins have this many digits: no count of rows or numbers reaches them, and a random one
# is found in no other value of a statement (`TakenInTransaction`).
STAND_IN_DIGITS = 18


@dataclass
class TakenInTransaction:
    """Numbers and ids that the write transaction itself takes, first thing, on SQLite; until
    then their stand-ins, random numbers of `STAND_IN_DIGITS` digits, one per number and per
    id, which the rows and their statements are made with before the transaction.

    On SQLite taking the numbers ahead is a write of its own: a writer's turn, its BEGIN
    IMMEDIATE and its commit, for two short statements. Taken inside the transaction that
    writes the rows, they cost one turn less; the statements made with the stand-ins then
    have them replaced by the values taken (`DeferredWrites.fill`), which is no more than a
    look at each value.
    """

    keys: list[str]
    models: Sequence[type[Model]]
    numbers: list[int] = field(init=False)
    ids: list[int] = field(init=False)

    def __post_init__(self) -> None:
        low = 10 ** (STAND_IN_DIGITS - 1)
        count = len(self.keys) + len(self.models)
        first = low + secrets.randbelow(9 * low - count)
        stand_ins = list(range(first, first + count))
        self.numbers, self.ids = stand_ins[: len(self.keys)], stand_ins[len(self.keys) :]

    def take(self) -> tuple[list[int], list[int]]:
        """The numbers and ids, as `next_numbers_and_ids` gives them: called in the write
        transaction that uses them."""
        numbers = Counter.next_values(self.keys) if self.keys else []
        return numbers, _sqlite_ids([model._meta.db_table for model in self.models])

    def replaced(self, numbers: list[int], ids: list[int]) -> dict[object, object]:
        """Each stand-in, by the number or id `take` gave in its place."""
        return dict(zip([*self.numbers, *self.ids], [*numbers, *ids], strict=True))


def taken_in_transaction(
    keys: list[str], models: Sequence[type[Model]] = ()
) -> TakenInTransaction | None:
    """`TakenInTransaction` where taking numbers and ids ahead costs a write of its own
    (SQLite); None where it does not (PostgreSQL's `nextval` waits for no one: take them
    ahead with `next_numbers_and_ids`)."""
    if connection.vendor == "postgresql":
        return None
    return TakenInTransaction(list(keys), list(models))


def _sqlite_ids(tables: list[str]) -> list[int]:
    """An id for a new row of each of `tables`, in the write transaction of the caller."""
    if not tables:
        return []
    for table in tables:
        if table not in _autoincrement:
            _check_autoincrement(table)
    found = _moved_on(tables)
    missing = [table for table in tables if table not in found]
    if missing:
        # A table that never had a row has no entry yet: it is made as its first automatic
        # id would make it.
        with connection.cursor() as cursor:
            for table in missing:
                name = connection.ops.quote_name(table)
                made = f"SELECT %s, coalesce(max(rowid), 0) FROM {name}"  # noqa: S608 - a table's name
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) " + made, [table])
        found |= _moved_on(missing)
    return [found[table] for table in tables]


def _moved_on(tables: list[str]) -> dict[str, int]:
    """Each of `tables`' count of ids in `sqlite_sequence`, moved on by one (those that have
    an entry there)."""
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE sqlite_sequence SET seq = seq + 1 WHERE name IN ({marks}) RETURNING name, seq",  # noqa: S608 - placeholders
            tables,
        )
        return {str(name): int(seq) for name, seq in cursor.fetchall()}


# Tables whose ids `sqlite_sequence` counts (created `AUTOINCREMENT`), as checked.
_autoincrement: set[str] = set()


def _check_autoincrement(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
        row = cursor.fetchone()
    if row is None or "AUTOINCREMENT" not in str(row[0]).upper():
        # Its next id would be the largest plus one, which a taken id does not move.
        raise RuntimeError(f"{table}: ids are taken ahead only from an AUTOINCREMENT table")
    with _lock:
        _autoincrement.add(table)


def _ensure(key: str, name: str) -> None:
    with connection.cursor() as cursor:
        # Whether the sequence exists, and whether this transaction has written anything yet
        # (it has no id until then). A sequence seen by a transaction that wrote nothing was
        # made by a committed one, and is remembered; otherwise it may be this transaction's
        # own creation, which a rollback would take away, and it is looked up again next time.
        cursor.execute(
            "SELECT txid_current_if_assigned() IS NULL "
            "FROM pg_class WHERE relkind = 'S' AND relname = %s",
            [name],
        )
        found = cursor.fetchone()
        if found is not None:
            if found[0]:
                _known(name)
            return
        start = Counter.objects.filter(key=key).values_list("value", flat=True).first() or 0
        try:
            # A savepoint: another transaction creating it at the same moment may win.
            with transaction.atomic():
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START {start + 1}")
        except DatabaseError:
            pass  # created by the other transaction, which committed first


def _known(name: str) -> None:
    with _lock:
        _existing.add(name)


def next_numbers(key: str, count: int) -> list[int]:
    """`count` next numbers of `key` in one or two statements: the same numbers `count`
    calls of `next_number` would give, for work done in bulk."""
    if count <= 0:
        return []
    if connection.vendor != "postgresql":
        # The counter's row, moved once by `count`: its last value is the block's end.
        first = Counter.next_value(key)
        if count > 1:
            Counter.objects.filter(key=key).update(value=F("value") + (count - 1))
        return list(range(first, first + count))
    name = sequence_name(key)
    first_number = next_number(key)  # makes the sequence if needed
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, count - 1])
        rest = [int(row[0]) for row in cursor.fetchall()]
    return [first_number, *rest]
