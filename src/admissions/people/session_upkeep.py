"""Expired sessions deleted by the scheduler, a batch at a time.

Django leaves expired rows in the sessions' table until `clearsessions` runs; at a national
campaign's scale (every candidate signing in from a phone and a laptop) the table would
grow by millions of dead rows a season. The daily job (`workflow.jobs`) deletes them in
short transactions, so that signing in never waits long behind it, and stops after a bounded
number of batches: what is left goes the next day.
"""

from __future__ import annotations

import datetime as dt

from admissions.people.models import Session

BATCH = 5_000
MAX_BATCHES = 200


def delete_expired(now: dt.datetime, *, batch: int = BATCH, max_batches: int = MAX_BATCHES) -> int:
    """Delete the sessions expired before `now`, at most `batch * max_batches` of them; the
    number deleted."""
    deleted = 0
    for _ in range(max_batches):
        keys = list(
            Session.objects.filter(expire_date__lt=now).values_list("session_key", flat=True)[
                :batch
            ]
        )
        if not keys:
            break
        deleted += Session.objects.filter(session_key__in=keys, expire_date__lt=now).delete()[0]
        if len(keys) < batch:
            break
    return deleted
