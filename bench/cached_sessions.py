"""Django's `cached_db` store with the project's joined read behind it: the engine a site with
a shared cache used before sessions were read with their user, kept here to measure the
database's store against it (`signed_in.py --redis`)."""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

from admissions.people.sessions import JoinedRead


class SessionStore(JoinedRead, cached_db.SessionStore):
    """A shared cache in front; on a miss, the session and its user in one statement."""
