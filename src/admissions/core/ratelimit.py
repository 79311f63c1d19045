"""Counting requests per person in fixed windows of the shared cache.

Used where allauth's limits do not reach (uploads); the API's per-minute limit counts the same
way. The counters live in the default cache: a site with several processes sets
ADMISSIONS_CACHE_URL so that every process counts the same requests.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from admissions.core.clientaddress import client_address


def who(request: HttpRequest) -> str:
    """The signed-in person, or else the client's address as the trusted proxies give it."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_address(request)}"


def hit(scope: str, person: str, *, limit: int, seconds: int) -> int | None:
    """Count one request of `person`; the seconds to wait when it is over `limit` in the
    current window of `seconds`, else None."""
    now = int(time.time())
    window = now // seconds
    key = f"rate:{scope}:{person}:{window}"
    cache.add(key, 0, timeout=seconds + 30)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=seconds + 30)
        count = 1
    if count <= limit:
        return None
    return max(1, (window + 1) * seconds - now)
