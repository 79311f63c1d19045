"""The session engine when a shared cache is set: Django's `cached_db`, with the database
read of `sessions.py` behind the cache."""

from __future__ import annotations

from admissions.people.sessions import CachedSessionStore as SessionStore

__all__ = ["SessionStore"]
