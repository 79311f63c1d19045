"""The scheduler's lock rows: one machine runs a job at a time, a dead one blocks it for a lease."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from admissions.core.models import ScheduledJob
from admissions.core.scheduler import Job, claim, release, run_due

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=10)


def test_a_claimed_job_is_not_claimed_again_until_released() -> None:
    assert claim("reminders", holder="machine-a", now=NOW, lease=LEASE)
    assert not claim("reminders", holder="machine-b", now=NOW + dt.timedelta(minutes=1))
    release("reminders", holder="machine-a", next_run_at=NOW, outcome="done", now=NOW)
    assert claim("reminders", holder="machine-b", now=NOW + dt.timedelta(minutes=1))


def test_a_claim_expires_after_its_lease() -> None:
    """A machine that died holding the lock blocks the job for one lease, not for ever."""
    assert claim("reminders", holder="machine-a", now=NOW, lease=LEASE)
    assert not claim("reminders", holder="machine-b", now=NOW + LEASE - dt.timedelta(seconds=1))
    assert claim("reminders", holder="machine-b", now=NOW + LEASE, lease=LEASE)
    # The dead machine's late release gives back nothing it no longer holds.
    release("reminders", holder="machine-a", next_run_at=NOW, outcome="late", now=NOW + LEASE)
    row = ScheduledJob.objects.get(name="reminders")
    assert row.holder == "machine-b"
    assert row.locked_until == NOW + 2 * LEASE


def test_a_job_waits_for_its_timetable_unless_forced() -> None:
    assert claim("reminders", holder="a", now=NOW)
    release(
        "reminders", holder="a", next_run_at=NOW + dt.timedelta(minutes=15), outcome="", now=NOW
    )
    assert not claim("reminders", holder="a", now=NOW + dt.timedelta(minutes=5))
    assert claim("reminders", holder="a", now=NOW + dt.timedelta(minutes=5), force=True)


def test_run_due_runs_each_job_once_and_survives_a_failure() -> None:
    ran: list[str] = []

    def ok(now: dt.datetime) -> str:
        ran.append("ok")
        return "fine"

    def broken(now: dt.datetime) -> str:
        ran.append("broken")
        raise RuntimeError("disk full")

    jobs = [Job("broken", broken), Job("ok", ok, every=dt.timedelta(hours=1))]
    outcomes = run_due(jobs, now=lambda: NOW)
    assert [(o.name, o.ran, o.failed) for o in outcomes] == [
        ("broken", True, True),
        ("ok", True, False),
    ]
    assert ScheduledJob.objects.get(name="broken").last_outcome.startswith("failed: RuntimeError")
    # Within the hour, only the job without a timetable runs again.
    again = run_due(jobs, now=lambda: NOW + dt.timedelta(minutes=5))
    assert [(o.name, o.ran) for o in again] == [("broken", True), ("ok", False)]
    assert ran == ["broken", "ok", "broken"]
    assert ScheduledJob.objects.get(name="ok").runs == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_machines_claiming_at_once_get_one_lock(database_engine: str) -> None:
    ScheduledJob.objects.create(name="reminders")
    barrier = threading.Barrier(8, timeout=10)
    won: list[bool] = []

    def machine(number: int) -> None:
        try:
            barrier.wait()
            won.append(claim("reminders", holder=f"machine-{number}", now=timezone.now()))
        finally:
            connection.close()

    threads = [threading.Thread(target=machine, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(won) == [False] * 7 + [True]
