"""Sessions end after a while without a request, and staff sessions a while after the log-in.

A staff session reaches candidates' files: it ends after `STAFF_SESSION_IDLE_MINUTES` without
a request and `STAFF_SESSION_MAX_HOURS` after the log-in, whatever happens in between.
A candidate's ends after `CANDIDATE_SESSION_IDLE_MINUTES` without a request (a week by
default: an application is filled over days). The time of the last request is written to
the session at most once a minute, so pages do not write the session on every load.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from admissions.people.models import User
from admissions.people.permissions import is_staff_member

SEEN = "admissions_seen"
SINCE = "admissions_since"
# Seconds between two writes of the last request's time.
SEEN_GRAIN = 60


def start(session: SessionBase, now: float | None = None) -> None:
    """Called at each log-in: the session's clock starts now."""
    moment = time.time() if now is None else now
    session[SINCE] = int(moment)
    session[SEEN] = int(moment)


def expired(session: SessionBase, user: User, now: float | None = None) -> bool:
    """Whether the session has run out; else notes this request's time when due."""
    moment = int(time.time() if now is None else now)
    since = session.get(SINCE)
    seen = session.get(SEEN)
    if not isinstance(since, int) or not isinstance(seen, int):
        # A session from before this clock existed: it starts now.
        start(session, moment)
        return False
    staff = is_staff_member(user)
    idle_minutes = (
        settings.STAFF_SESSION_IDLE_MINUTES if staff else settings.CANDIDATE_SESSION_IDLE_MINUTES
    )
    if moment - seen > idle_minutes * 60:
        return True
    if staff and moment - since > settings.STAFF_SESSION_MAX_HOURS * 3600:
        return True
    if moment - seen >= SEEN_GRAIN:
        session[SEEN] = moment
    return False
