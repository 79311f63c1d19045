"""A database task worker running on a thread of the web process.

The embedded set-up serves pages and works the task queue in one process; at scale the
worker runs alone (`db_worker`) or Redis carries the queue. django_tasks_db's `Worker`
does the work; it only must not install signal handlers, which belong to the main thread.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)

RESTART_DELAY = 5.0


def database_backend_aliases() -> list[str]:
    """The configured task backends that keep their queue in the database."""
    return [alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)]


class WorkerThread:
    def __init__(self, backend_alias: str, *, interval: float = 1.0) -> None:
        self.backend_alias = backend_alias
        self.worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name=backend_alias,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"serve-{get_random_string(24)}",
            excluded_queue_names=[],
        )
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"task-worker-{backend_alias}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, timeout: float) -> bool:
        """Let the current task finish; return whether the thread ended within `timeout`."""
        self._stopping.set()
        self.worker.running = False
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self.worker.run()
                except Exception:
                    # A lost database connection must not end task processing for good.
                    logger.exception("Task worker failed; restarting in %.0f s", RESTART_DELAY)
                    self._stopping.wait(RESTART_DELAY)
        finally:
            connections.close_all()


class PeriodicThread:
    """Runs the `periodic` management command every `minutes` on a thread of `serve`.

    The command is named, not imported: core sits below the apps whose jobs it runs.
    """

    def __init__(self, *, minutes: float, command: str = "periodic") -> None:
        self.seconds = minutes * 60
        self.command = command
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="periodic-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, timeout: float) -> bool:
        self._stopping.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        from django.core.management import call_command

        try:
            while not self._stopping.is_set():
                try:
                    call_command(self.command, verbosity=0)
                except Exception:
                    logger.exception("Periodic jobs failed; trying again at the next run")
                self._stopping.wait(self.seconds)
        finally:
            connections.close_all()
