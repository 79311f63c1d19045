"""The idempotent periodic jobs (`workflow.jobs`), run through the one scheduler.

Once (from cron, a scheduler, or the thread `serve` runs every few minutes), or as a
process of its own with `--loop` when a site is scaled out. Every job takes its lock row
first, so running this on two machines at once, late, or twice is safe.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from admissions.core.scheduler import run_due, with_registered
from admissions.workflow.jobs import DELIVERY, JOBS

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs that are due: deadlines, reminders, emails, document upkeep."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            action="store_true",
            help="run again every --every minutes until stopped (SIGTERM or Ctrl+C)",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=None,
            help="minutes between two runs with --loop (default ADMISSIONS_PERIODIC_MINUTES, or 5)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run every job now, whatever its timetable (never while another machine holds it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self._run(force=options["force"])
            return
        minutes = options["every"] or settings.PERIODIC_MINUTES or 5
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stdout.write(f"{signal.strsignal(signum)}: stopping")
            stopping.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, stop)
        self.stdout.write(f"Running the periodic jobs every {minutes:g} minutes")
        while not stopping.is_set():
            try:
                self._run(force=options["force"])
            except Exception:
                # The database away for a moment must not end the scheduler's process.
                logger.exception("periodic jobs failed; trying again at the next run")
            stopping.wait(minutes * 60)
        self.stdout.write("Stopped")

    def _run(self, *, force: bool) -> None:
        for outcome in run_due(with_registered(JOBS, DELIVERY), force=force):
            if not outcome.ran:
                continue
            mark = "FAILED " if outcome.failed else ""
            self.stdout.write(f"{outcome.name}: {mark}{outcome.summary}")
