"""Sessions end after a while without a request, and staff sessions a while after the log-in.

A staff session reaches candidates' files: it ends after `STAFF_SESSION_IDLE_MINUTES` without
a request and `STAFF_SESSION_MAX_HOURS` after the log-in, whatever happens in between.
A candidate's ends after `CANDIDATE_SESSION_IDLE_MINUTES` without a request (a week by
default: an application is filled over days).

The time of the last request is written to the session when it has moved by the clock's
grain (`grain`): a hundredth of the idle time, and at least a minute. Pages do not write the
session on every load: a candidate reloading their page on result day writes it once, not
once a minute. The grain is the most a session can end early: it never lives longer than its
idle time after the last request, and may end up to a grain sooner (a week's idle time: up to
about an hour and forty minutes sooner; half an hour's: a minute, as before).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from admissions.people.models import User
from admissions.people.permissions import is_staff_member

SEEN = "admissions_seen"
SINCE = "admissions_since"
# The least time between two writes of the last request's time, in seconds.
SEEN_GRAIN = 60
# The grain is at most this share of the idle time.
SEEN_SHARE = 100


def start(session: SessionBase, now: float | None = None) -> None:
    """Called at each log-in: the session's clock starts now."""
    moment = time.time() if now is None else now
    session[SINCE] = int(moment)
    session[SEEN] = int(moment)


def grain(idle_seconds: int) -> int:
    """Seconds the last request's time may move before it is written again, for an idle
    time of `idle_seconds`."""
    return max(SEEN_GRAIN, idle_seconds // SEEN_SHARE)


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
    idle = 60 * (
        settings.STAFF_SESSION_IDLE_MINUTES if staff else settings.CANDIDATE_SESSION_IDLE_MINUTES
    )
    if moment - seen > idle:
        return True
    if staff and moment - since > settings.STAFF_SESSION_MAX_HOURS * 3600:
        return True
    if moment - seen >= grain(idle):
        session[SEEN] = moment
    return False
