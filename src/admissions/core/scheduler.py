"""One scheduler for the periodic jobs, safe on any number of machines at once.

Each job has a row (`ScheduledJob`) that a machine claims with one conditional UPDATE: the
row is taken only when no live claim holds it and the job is due. The claim carries an
expiry (the lease), so a machine that dies while running a job blocks it for one lease at
most. Jobs are idempotent anyway (they select by date and status and decide again on
locked rows): the lock keeps two machines from doing the same work twice, it is not what
makes a second run harmless.

`serve` runs the `periodic` command on a thread every few minutes, a scaled-out site runs
`periodic --loop` as a process of its own or the command from cron: all of them go
through `run_due`, so the job list and the locks are the same whoever runs them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from admissions.core.models import ScheduledJob

logger = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[dt.datetime], Any]  # called with the run's moment; returns a summary
    every: dt.timedelta = dt.timedelta(0)  # 0: at each run of the scheduler
    lease: dt.timedelta = DEFAULT_LEASE  # longer than the job ever takes


# Jobs of packages the job list (`workflow.jobs`) may not import, their neighbours in the
# layers: each adds its own from its AppConfig.ready().
_REGISTERED: dict[str, Job] = {}


def register(job: Job) -> None:
    _REGISTERED[job.name] = job


def with_registered(jobs: Sequence[Job], delivery: Sequence[Job]) -> list[Job]:
    """The registered jobs first (a jury's publication offers places before the waiting
    list is looked at), then `jobs`, then `delivery`, which sends what all the others
    queued."""
    return [*_REGISTERED.values(), *jobs, *delivery]


@dataclass(frozen=True)
class Outcome:
    name: str
    ran: bool
    summary: str = ""
    failed: bool = False


def holder_name() -> str:
    """Who holds a claim: the machine and process, and a token for this run."""
    return f"{socket.gethostname()}:{os.getpid()}:{get_random_string(8)}"


def claim(
    name: str,
    *,
    holder: str,
    now: dt.datetime,
    lease: dt.timedelta = DEFAULT_LEASE,
    force: bool = False,
) -> bool:
    """Take the job's lock until `now + lease`; False when another holds it or it is not due.

    `force` ignores the timetable, never the lock.
    """
    ScheduledJob.objects.get_or_create(name=name)
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    due = Q() if force else Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)
    taken = ScheduledJob.objects.filter(free, due, name=name).update(
        holder=holder, locked_until=now + lease, last_started_at=now
    )
    return taken == 1


def release(
    name: str, *, holder: str, next_run_at: dt.datetime, outcome: str, now: dt.datetime
) -> None:
    """Give the lock back and set the next run; only the holder's own claim is released."""
    ScheduledJob.objects.filter(name=name, holder=holder).update(
        holder="",
        locked_until=None,
        next_run_at=next_run_at,
        last_finished_at=now,
        last_outcome=outcome[:2000],
        runs=F("runs") + 1,
    )


def run_due(
    jobs: Sequence[Job],
    *,
    now: Callable[[], dt.datetime] = timezone.now,
    force: bool = False,
) -> list[Outcome]:
    """Run every job that is due and free, each under its lock; one failure stops no other."""
    holder = holder_name()
    outcomes: list[Outcome] = []
    for job in jobs:
        started = now()
        if not claim(job.name, holder=holder, now=started, lease=job.lease, force=force):
            outcomes.append(Outcome(job.name, ran=False))
            continue
        failed = False
        try:
            summary = str(job.run(started) or "")
        except Exception as error:
            logger.exception("periodic job %s failed", job.name)
            summary = f"failed: {type(error).__name__}: {error}"
            failed = True
        finished = now()
        release(
            job.name,
            holder=holder,
            next_run_at=started + job.every,
            outcome=summary,
            now=finished,
        )
        outcomes.append(Outcome(job.name, ran=True, summary=summary, failed=failed))
    return outcomes
