"""The scheduler's daily job deletes expired sessions, and only those, a batch at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from admissions.core.scheduler import run_due
from admissions.people.models import Session
from admissions.people.session_upkeep import delete_expired
from admissions.workflow.jobs import JOBS

pytestmark = pytest.mark.django_db


def sessions(count: int, *, expire: dt.datetime, prefix: str) -> None:
    Session.objects.bulk_create(
        Session(session_key=f"{prefix}{i:030d}", session_data="x", expire_date=expire)
        for i in range(count)
    )


def test_expired_sessions_are_deleted_and_live_ones_kept() -> None:
    now = timezone.now()
    sessions(7, expire=now - dt.timedelta(seconds=1), prefix="old")
    sessions(3, expire=now + dt.timedelta(hours=1), prefix="new")
    assert delete_expired(now, batch=2) == 7
    assert sorted(Session.objects.values_list("session_key", flat=True)) == [
        f"new{i:030d}" for i in range(3)
    ]


def test_a_run_stops_after_its_batches_and_the_next_takes_the_rest() -> None:
    now = timezone.now()
    sessions(10, expire=now - dt.timedelta(days=1), prefix="old")
    assert delete_expired(now, batch=3, max_batches=2) == 6
    assert Session.objects.count() == 4
    assert delete_expired(now, batch=3, max_batches=2) == 4
    assert not Session.objects.exists()


def test_the_daily_job_deletes_them_once_a_day() -> None:
    now = timezone.now()
    sessions(2, expire=now - dt.timedelta(minutes=1), prefix="old")
    job = next(job for job in JOBS if job.name == "expired_sessions")
    [outcome] = run_due([job], now=lambda: now)
    assert outcome.ran
    assert outcome.summary == "expired sessions deleted: 2"
    sessions(1, expire=now, prefix="later")
    [again] = run_due([job], now=lambda: now + dt.timedelta(hours=23))
    assert not again.ran
    [next_day] = run_due([job], now=lambda: now + dt.timedelta(days=1))
    assert next_day.ran
    assert next_day.summary == "expired sessions deleted: 1"
