"""Queuing a task with the transaction of the event that causes it.

A task queued by a service runs only once the service's transaction commits, and not at all
if it rolls back. With django-tasks' database backend (the embedded default) the queue is a
table of the same database: the task's row is written inside the transaction, the row the
backend's `enqueue` writes (same columns, same values, its `pre_save` receiver's default
included), and the worker sees it at the commit, as it would have seen a row written just
after. That is one write less after every such transaction: on SQLite another turn to
write, on PostgreSQL another commit. Any other backend (Redis) gets the task once the
transaction commits, through its own `enqueue`.
"""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from django.db import connections, router, transaction
from django_tasks.base import Task
from django_tasks.signals import task_enqueued
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from admissions.core import compiled
from admissions.core.deferred_writes import DeferredWrites, replacing


def enqueue_with_transaction(
    task: Task[Any, Any], *args: Any, writes: DeferredWrites | None = None
) -> None:
    """Queue `task(*args)` to run once the current transaction commits; with `writes`, the
    task's row is left there, to be written with the transaction's last writes, and what
    follows the commit is handed to the transaction when they run: they may be collected
    before it begins."""
    backend = task.get_backend()
    using = router.db_for_write(DBTaskResult)
    # django-tasks-db's own backend only: a subclass may write its rows otherwise.
    exact = type(cast(object, backend)) is DatabaseBackend
    deferred = writes is not None and writes.using == using
    if not (exact and isinstance(backend, DatabaseBackend)) or not (
        deferred or connections[using].in_atomic_block
    ):
        if writes is not None:
            writes.on_commit(partial(_enqueue_filled, task, args, writes))
        else:
            transaction.on_commit(partial(task.enqueue, *args), robust=True)
        return
    backend.validate_task(task)
    row = task_row(backend, task, args)
    statement = compiled.insert_statement([row], using=using) if deferred else None
    # As `enqueue` does once the row is written: after the commit, as it was.
    enqueued = partial(_enqueued, backend, row, writes)
    if writes is not None and statement is not None:
        writes.add(*statement)  # the row's id is its own: nothing to read back
        writes.on_commit(enqueued)
        return
    compiled.insert(row, using=using)
    transaction.on_commit(enqueued, using=using, robust=True)


def task_row(
    backend: DatabaseBackend, task: Task[Any, Any], args: tuple[Any, ...]
) -> DBTaskResult[Any, Any]:
    """The new row `backend.enqueue(task, args, {})` saves."""
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": args, "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        # What the backend's `pre_save` receiver (set_run_after) puts in place of None.
        run_after=task.run_after if task.run_after is not None else get_date_max(),
        backend_name=backend.alias,
    )


def _enqueue_filled(task: Task[Any, Any], args: tuple[Any, ...], writes: DeferredWrites) -> None:
    """`task.enqueue(*args)` once `writes` ran: arguments made with stand-ins for numbers and
    ids taken in their transaction (`DeferredWrites.fill`) name what those became."""
    one = replacing(writes.filled)
    task.enqueue(*(one(arg) for arg in args))


def _enqueued(
    backend: DatabaseBackend, row: DBTaskResult[Any, Any], writes: DeferredWrites | None
) -> None:
    if writes is not None and writes.filled:
        # The row was written with its stand-ins replaced; the signal's receivers read it so.
        one = replacing(writes.filled)
        row.args_kwargs = {
            "args": [one(arg) for arg in row.args_kwargs["args"]],
            "kwargs": row.args_kwargs["kwargs"],
        }
    task_enqueued.send(type(backend), task_result=row.task_result)
