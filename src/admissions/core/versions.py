"""Version numbers of what a cached figure was computed from, bumped when it changes.

A figure cached under a key that holds the version is found again until the next bump,
then computed afresh. The numbers live in the default cache: shared by every process when
the site sets a cache URL (Redis), else kept per process, where a figure computed by
another process is at most its time-out old.
"""

from __future__ import annotations

from django.core.cache import cache

PREFIX = "version:"


def current(name: str) -> int:
    value = cache.get(PREFIX + name)
    return int(value) if value is not None else 0


def bump(name: str) -> None:
    # `add` then `incr`: a concurrent first bump may be counted once, never lost as 0.
    cache.add(PREFIX + name, 0, timeout=None)
    try:
        cache.incr(PREFIX + name)
    except ValueError:  # evicted in between: start again above any cached key's number
        cache.set(PREFIX + name, current(name) + 1, timeout=None)
