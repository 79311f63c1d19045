"""`serve`: the embedded web server, with the database task worker on a thread.

For one machine and modest traffic. At scale, run the WSGI application under granian or
gunicorn and the workers on their own (see docs/operations.md).
"""

from __future__ import annotations

import signal
import socketserver
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.servers.basehttp import (
    WSGIRequestHandler,
    WSGIServer,
    get_internal_wsgi_application,
)
from django.db import connections
from django_tasks import task_backends

from admissions.core.worker import PeriodicThread, WorkerThread, database_backend_aliases

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ThreadedWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    # As Django's runserver: a stuck request must not keep the process alive at exit.
    daemon_threads = True

    def close_request(self, request: Any) -> None:
        # A thread per request: a connection kept for the next request (DATABASE_CONN_MAX_AGE)
        # would never be used again, so it is closed with the request, as runserver does.
        connections.close_all()
        super().close_request(request)


class Command(BaseCommand):
    help = "Serve the platform over HTTP; work the database task queue in the same process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="do not work the database task queue in this process",
        )
        parser.add_argument(
            "--worker-interval",
            type=float,
            default=1.0,
            help="seconds between two looks at an empty task queue",
        )
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=30.0,
            help="seconds to let a running task finish when stopping",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        application = get_internal_wsgi_application()
        try:
            server = ThreadedWSGIServer((host, port), WSGIRequestHandler, ipv6=":" in host)
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error.strerror}") from error
        server.set_app(application)

        workers = self._start_workers(options["worker"], options["worker_interval"])
        periodic = PeriodicThread(minutes=settings.PERIODIC_MINUTES)
        if options["worker"] and settings.PERIODIC_MINUTES > 0:
            periodic.start()
        previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stdout.write(f"{signal.strsignal(signum)}: stopping")
            # A second Ctrl+C interrupts the wait for a running task.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            # shutdown() waits for serve_forever(), which runs on this very thread.
            threading.Thread(target=server.shutdown, name="http-shutdown").start()

        for sig in STOP_SIGNALS:
            signal.signal(sig, stop)
        self.stdout.write(f"Serving http://{host}:{port}/ (Ctrl+C to stop)", self.style.SUCCESS)
        try:
            server.serve_forever(poll_interval=0.5)
        finally:
            server.server_close()
            periodic.stop(timeout=options["stop_timeout"])
            for worker in workers:
                if not worker.stop(timeout=options["stop_timeout"]):
                    self.stderr.write(f"Task worker {worker.backend_alias} still busy: leaving it")
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Stopped")

    def _start_workers(self, wanted: bool, interval: float) -> list[WorkerThread]:
        aliases = database_backend_aliases()
        if not wanted or not aliases:
            backend = type(task_backends["default"]).__name__
            reason = "--no-worker" if not wanted else f"task backend {backend}"
            self.stdout.write(f"No task worker in this process ({reason})")
            return []
        workers = [WorkerThread(alias, interval=interval) for alias in aliases]
        for worker in workers:
            worker.start()
            self.stdout.write(f"Task worker started for backend {worker.backend_alias!r}")
        return workers
