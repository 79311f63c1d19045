"""A task queued with a transaction: with the database's queue, the row `enqueue` writes,
written in the transaction; with any other backend, `enqueue` once it commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import TestCase
from django_tasks.signals import task_enqueued
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from pytest_django.fixtures import Settings

from admissions.core import tasks
from admissions.core.deferred_writes import DeferredWrites
from admissions.core.queued_tasks import enqueue_with_transaction

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Every column but the key, the arguments and the moment of the write.
SAME = [
    f.attname
    for f in DBTaskResult._meta.concrete_fields
    if f.attname not in {"id", "args_kwargs", "enqueued_at"}
]


class Heard:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.args: list[list[Any]] = []

    def __call__(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        self.ids.append(str(task_result.id))
        self.args.append(list(task_result.args))


@pytest.fixture
def heard() -> Any:
    listener = Heard()
    task_enqueued.connect(listener)
    yield listener
    task_enqueued.disconnect(listener)


def test_the_row_is_the_one_enqueue_writes(settings: Settings) -> None:
    settings.TASKS = DATABASE_QUEUE
    tasks.echo.enqueue("by the backend")
    with transaction.atomic():
        enqueue_with_transaction(tasks.echo, "with the transaction")
    by_backend, with_transaction = (
        DBTaskResult.objects.filter(args_kwargs__args=[token]).values().get()
        for token in ("by the backend", "with the transaction")
    )
    assert {k: with_transaction[k] for k in SAME} == {k: by_backend[k] for k in SAME}
    assert with_transaction["args_kwargs"] == {"args": ["with the transaction"], "kwargs": {}}
    assert with_transaction["run_after"] == get_date_max()
    assert with_transaction["status"] == "READY"
    assert with_transaction["worker_ids"] == []
    assert with_transaction["id"] != by_backend["id"]
    assert abs(with_transaction["enqueued_at"] - by_backend["enqueued_at"]) < dt.timedelta(
        seconds=5
    )
    # Ready for a worker, which runs it.
    found = DBTaskResult.objects.ready().filter(args_kwargs__args=["with the transaction"])
    row = found.get_locked()
    assert row is not None
    row.claim("tests")
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    ).run_task(row)
    row.refresh_from_db()
    assert (row.status, row.return_value) == ("SUCCESSFUL", "with the transaction")


def test_the_row_is_written_in_the_transaction_and_announced_at_its_commit(
    settings: Settings, heard: Heard
) -> None:
    settings.TASKS = DATABASE_QUEUE
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        enqueue_with_transaction(tasks.echo, "kept")
        row = DBTaskResult.objects.get()  # before the commit, in the transaction
        assert heard.ids == []
    assert heard.ids == [str(row.id)]


def test_a_rollback_takes_the_row_away(settings: Settings, heard: Heard) -> None:
    settings.TASKS = DATABASE_QUEUE
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                enqueue_with_transaction(tasks.echo, "lost")
                raise RuntimeError("the event fails")
        except RuntimeError:
            pass
    assert not DBTaskResult.objects.exists()
    assert heard.ids == []


def test_another_backend_gets_the_task_once_the_transaction_commits(heard: Heard) -> None:
    # The tests' backend runs a task as it is enqueued.
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks, transaction.atomic():
        enqueue_with_transaction(tasks.echo, "later")
    assert heard.ids == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(heard.ids) == 1
    assert not DBTaskResult.objects.exists()


# What a task's argument is made with before the transaction takes the number it stands for.
STAND_IN = 918_273_645_546_372_819


def _filled_writes() -> DeferredWrites:
    writes = DeferredWrites()
    writes.fill(lambda: {STAND_IN: 42}, stand_ins=[STAND_IN])
    return writes


# Stand-ins are taken in the transaction on SQLite only (`sequences.taken_in_transaction`),
# where a JSON column's value is its text, which `fill` looks into.
@pytest.mark.one_engine
def test_a_task_made_with_a_stand_in_is_written_and_announced_with_what_it_became(
    settings: Settings, heard: Heard
) -> None:
    settings.TASKS = DATABASE_QUEUE
    writes = _filled_writes()
    enqueue_with_transaction(tasks.echo, STAND_IN, writes=writes)
    with TestCase.captureOnCommitCallbacks(execute=True):
        writes.run_alone()
    assert DBTaskResult.objects.get().args_kwargs == {"args": [42], "kwargs": {}}
    assert heard.args == [[42]]


def test_another_backend_gets_a_task_made_with_a_stand_in_with_what_it_became(
    heard: Heard,
) -> None:
    # The tests' backend runs a task as it is enqueued.
    writes = _filled_writes()
    enqueue_with_transaction(tasks.echo, STAND_IN, writes=writes)
    with TestCase.captureOnCommitCallbacks(execute=True):
        writes.run_alone()
    assert heard.args == [[42]]
    assert not DBTaskResult.objects.exists()
