"""Writes left for the end of a transaction: all run, in order, in the transaction; on
PostgreSQL in one query."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import SafeString

from admissions.core import deferred_writes
from admissions.core.deferred_writes import DeferredWrites
from admissions.core.models import Counter

pytestmark = pytest.mark.django_db

TABLE = connection.ops.quote_name(Counter._meta.db_table)
INSERT = f"INSERT INTO {TABLE} ({connection.ops.quote_name('key')}, value) VALUES (%s, %s)"  # noqa: S608 - names, not input
ADD = f"UPDATE {TABLE} SET value = value + %s WHERE {connection.ops.quote_name('key')} = %s"  # noqa: S608 - names, not input


def values() -> dict[str, int]:
    return dict(Counter.objects.filter(key__startswith="deferred:").values_list("key", "value"))


def test_every_write_runs_in_the_order_added() -> None:
    writes = DeferredWrites()
    writes.add(INSERT, ["deferred:a", 1])
    writes.add(INSERT, ["deferred:b", 10])
    # Depends on the first: run before it, it would change nothing.
    writes.add(ADD, [5, "deferred:a"])
    writes.add(ADD, [100, "deferred:b"])
    assert values() == {}
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        writes.run()
    assert values() == {"deferred:a": 6, "deferred:b": 110}
    # On PostgreSQL one round trip; SQLite's driver takes one statement per call.
    assert len(captured.captured_queries) == (1 if connection.vendor == "postgresql" else 4)
    assert writes.statements == []


def test_a_value_holding_the_separator_or_a_percent_sign_is_a_value() -> None:
    writes = DeferredWrites()
    writes.add(INSERT, ["deferred:x;\nDELETE FROM core_counter", 1])
    writes.add(INSERT, ["deferred:100%s", 2])
    with transaction.atomic():
        writes.run()
    assert values() == {"deferred:x;\nDELETE FROM core_counter": 1, "deferred:100%s": 2}


def test_a_failing_write_fails_the_transaction_and_keeps_none_of_the_others() -> None:
    Counter.objects.create(key="deferred:taken", value=1)
    writes = DeferredWrites()
    writes.add(INSERT, ["deferred:first", 1])
    writes.add(INSERT, ["deferred:taken", 2])  # the key is unique
    writes.add(INSERT, ["deferred:last", 3])
    with pytest.raises(DatabaseError), transaction.atomic():
        writes.run()
    assert values() == {"deferred:taken": 1}


def test_nothing_added_sends_nothing() -> None:
    with CaptureQueriesContext(connection) as captured:
        DeferredWrites().run()
    assert captured.captured_queries == []


def test_server_side_binding_sends_each_write_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # A prepared query holds one statement: several in one would fail on the server.
    options = {**connection.settings_dict.get("OPTIONS", {}), "server_side_binding": True}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    writes = DeferredWrites()
    writes.add(INSERT, ["deferred:a", 1])
    writes.add(ADD, [5, "deferred:a"])
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        writes.run()
    assert values() == {"deferred:a": 6}
    assert len(captured.captured_queries) == 2


def test_what_follows_the_commit_is_handed_over_only_when_the_writes_run(
    django_capture_on_commit_callbacks: Any,
) -> None:
    heard: list[str] = []
    writes = DeferredWrites()
    writes.add(INSERT, ["deferred:a", 1])
    writes.on_commit(lambda: heard.append("committed"))
    with django_capture_on_commit_callbacks(execute=True) as handed:
        with transaction.atomic():
            writes.run()
        assert heard == []  # the test's transaction goes on: at its end, the hook
    assert len(handed) == 1
    assert heard == ["committed"]
    assert writes.after_commit == []


@pytest.mark.django_db(transaction=True)
def test_alone_the_writes_are_a_transaction_of_their_own() -> None:
    heard: list[str] = []
    Counter.objects.create(key="deferred:taken", value=1)
    failing = DeferredWrites()
    failing.add(INSERT, ["deferred:first", 1])
    failing.add(ADD, [5, "deferred:taken"])
    failing.add(INSERT, ["deferred:taken", 2])  # the key is unique
    failing.on_commit(lambda: heard.append("failed"))
    with pytest.raises(DatabaseError):
        failing.run_alone()
    assert values() == {"deferred:taken": 1}
    writes = DeferredWrites()
    writes.add(INSERT, ["deferred:first", 1])
    writes.add(ADD, [5, "deferred:taken"])
    writes.on_commit(lambda: heard.append("committed"))
    with CaptureQueriesContext(connection) as captured:
        writes.run_alone()
    assert values() == {"deferred:first": 1, "deferred:taken": 6}
    assert heard == ["committed"]
    # On PostgreSQL one query, the server's transaction: no savepoint, nothing else sent.
    if connection.vendor == "postgresql":
        assert len(captured.captured_queries) == 1


def test_stand_ins_are_replaced_when_the_writes_run_in_their_transaction() -> None:
    """Whole values equal to a stand-in, and stand-ins inside texts (a JSON column's, a
    reference printed from a number), the longest text first."""
    stand_in = 734_215_908_331_276_145
    writes = DeferredWrites()
    writes.add(INSERT, [f"deferred:NE-{stand_in}", stand_in])
    writes.add(INSERT, [f'deferred:{{"entry_id": {stand_in}}}', 7])
    writes.add(INSERT, ["deferred:untouched", 8])
    asked: list[bool] = []

    def taken() -> dict[object, object]:
        asked.append(connection.in_atomic_block)
        return {stand_in: 42, f"NE-{stand_in}": "NE-000042"}

    writes.fill(taken)
    assert values() == {}
    with transaction.atomic():
        writes.run()
    assert asked == [True]
    assert values() == {
        "deferred:NE-000042": 42,
        'deferred:{"entry_id": 42}': 7,
        "deferred:untouched": 8,
    }
    assert writes.filled == {stand_in: 42, f"NE-{stand_in}": "NE-000042"}


@pytest.mark.django_db(transaction=True)
def test_writes_with_stand_ins_run_alone_in_a_transaction_of_their_own() -> None:
    """Their values are taken by a statement of their own, in the same transaction: the
    writes' failure undoes it too."""
    Counter.objects.create(key="deferred:taken", value=1)
    writes = DeferredWrites()
    writes.add(INSERT, ["deferred:first", 11])
    writes.add(INSERT, ["deferred:taken", 2])  # the key is unique

    def taken() -> dict[object, object]:
        Counter.objects.create(key="deferred:by-the-fill", value=5)
        return {11: 12}

    writes.fill(taken)
    with pytest.raises(DatabaseError):
        writes.run_alone()
    assert values() == {"deferred:taken": 1}
    writes.add(INSERT, ["deferred:first", 11])
    writes.fill(taken)
    writes.run_alone()
    assert values() == {"deferred:taken": 1, "deferred:by-the-fill": 5, "deferred:first": 12}


@pytest.mark.django_db(transaction=True)
def test_stand_ins_known_ahead_are_found_before_the_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Given ahead, the values that hold a stand-in are found before the transaction, which
    replaces them only: the same values written as when they are looked for in it. A safe
    string (a rendered email's HTML) is a text like any other."""
    stand_in = 734_215_908_331_276_145
    looked: list[bool] = []
    holding = deferred_writes._holding

    def recorded(*args: Any) -> list[tuple[int, int]]:
        looked.append(connection.in_atomic_block)
        return holding(*args)

    monkeypatch.setattr(deferred_writes, "_holding", recorded)
    for ahead, prefix in ((True, "deferred:ahead:"), (False, "deferred:in:")):
        writes = DeferredWrites()
        writes.add(INSERT, [SafeString(f"{prefix}<b>RF12 {stand_in}</b>"), 3])
        writes.add(INSERT, [f'{prefix}{{"id": {stand_in}}}', stand_in])
        writes.add(INSERT, [f"{prefix}untouched", 8])
        found = {stand_in: 42, f"RF12 {stand_in}": "RF12 0042"}
        writes.fill(lambda found=found: found, stand_ins=list(found) if ahead else ())
        writes.run_alone()
        assert looked.pop() is (not ahead)
        assert {
            key.removeprefix(prefix): value
            for key, value in values().items()
            if key.startswith(prefix)
        } == {
            "<b>RF12 0042</b>": 3,
            '{"id": 42}': 42,
            "untouched": 8,
        }
