"""Sessions kept in the database, each request's read one statement compiled once.

Django's store builds the same ORM query for every request (`Session.objects.get`), which
costs more in Python than the look-up costs the database. These stores read the row with
a statement compiled once per process and database (`core.prepared`: planned once per
PostgreSQL connection); the row is read on every request, as before, so a logout, a
session run out or deleted in any process ends it at once. Everything else (writes,
creation, the cache of `cached_db`) is Django's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sessions.backends import cached_db, db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from admissions.core.prepared import Statement

# Built with these in place of the request's key and time, then swapped.
_KEY = "\x00session-key\x00"
_MOMENT = dt.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC)
_compiled: dict[str, Statement] = {}


def _statement(using: str) -> Statement:
    found = _compiled.get(using)
    if found is None:
        ops = connections[using].ops
        rows = Session.objects.filter(session_key=_KEY, expire_date__gt=_MOMENT).values_list(
            "session_key", "session_data", "expire_date"
        )
        found = _compiled[using] = Statement.of(
            rows, [_KEY, ops.adapt_datetimefield_value(_MOMENT)], using
        )
    return found


def read(session_key: str | None) -> Session | None:
    """The unexpired session row named `session_key` (unsaved instance), or None."""
    if session_key is None:
        return None
    using = router.db_for_read(Session)
    statement = _statement(using)
    now = connections[using].ops.adapt_datetimefield_value(timezone.now())
    row = statement.fetchone([session_key, now], using)
    if row is None:
        return None
    key, data, expires = statement.converted(row, using)
    found = Session(session_key=key, session_data=data, expire_date=expires)
    found._state.adding = False
    found._state.db = using
    return found


class _CompiledRead:
    session_key: str | None
    _session_key: str | None

    @property
    def key_salt(self) -> str:
        # Django signs a session with its store's class name: the name of Django's own
        # stores, so that sessions written by either engine, or before, stay readable.
        return "django.contrib.sessions.SessionStore"

    def _get_session_from_db(self) -> Any:
        found = read(self.session_key)
        if found is None:
            self._session_key = None
        return found


class SessionStore(_CompiledRead, db.SessionStore):
    """Django's database sessions, read with one compiled statement."""


class CachedSessionStore(_CompiledRead, cached_db.SessionStore):
    """Django's cached database sessions (a shared cache in front), the same read behind it."""
