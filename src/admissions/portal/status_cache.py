"""The candidate's status page kept rendered, under a version read from the data.

A kept page is found by the file's version (`workflow.status_version`: one query that
reads back everything the page shows), the reader, the page's language and path, whether the
reader holds a staff role (the menu), and the code that renders it (a digest of the
package's sources, templates and translations, taken once per process, so that a new release
sharing a Redis cache with the old one never serves the old one's pages). Nothing is bumped
by the services: a change of the file, made by any of them, in any process, changes the
version, and the next request renders the page again.

What the data cannot say is the time: a deadline passing, the confirmation window closing,
the funding date turning late. A kept page holds until the next moment the page may read
differently: the first moment it was rendered from that is still to come (a deadline, the
end of the confirmation window), and at the latest the end of the Paris day, when what is
judged by the day (the funding date) may change. Nothing else on the page reads the clock:
its other times and dates are those of recorded events. So pages do not all expire at once
on every hour, only each at its own deadline and at midnight.

Per request, never kept: the CSRF token (the page is rendered with a random placeholder in
its place, replaced by the reader's own token on every answer); messages (a page with a
message to show is rendered and not kept, and a kept page is served only when there is
none). The site's Content-Security-Policy uses no nonce (`core/middleware.py`): there is no
per-response value in the page besides the token.

Pages are kept compressed in the project's "pages" cache (per process by default, at most
`ADMISSIONS_PAGE_CACHE_ENTRIES` pages; Redis when the site sets `ADMISSIONS_CACHE_URL`): a
per-process cache keeps each worker's own copy, never stale, since the version comes from
the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import secrets
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone

import admissions
from admissions.rules.deadlines import end_of_day, paris_date

PACKAGE = Path(admissions.__file__).parent
# What renders the page: a change of any of these is a new release.
SOURCES = ("*.py", "*.html", "*.mo", "*.toml")
PREFIX = "portal:status-page"


@functools.cache
def release() -> str:
    """A digest of the code, templates and translations this process serves."""
    digest = hashlib.blake2b(digest_size=12)
    for pattern in SOURCES:
        for path in sorted(PACKAGE.rglob(pattern)):
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def key(request: HttpRequest, version: str, language: str) -> str:
    user = request.user
    staff = int(bool(getattr(user, "holds_staff_role", False)))
    path = hashlib.blake2b(request.path.encode(), digest_size=8).hexdigest()
    return f"{PREFIX}:{release()}:{user.pk}:{language}:{staff}:{path}:{version}"


def has_messages(request: HttpRequest) -> bool:
    """Whether a message waits to be shown, without marking it shown."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def placeholder() -> str:
    """Stands for the CSRF token in a page being kept: random, so that no text of the page
    (a reason typed by staff) can be taken for it."""
    return "csrf" + secrets.token_hex(16)


def _moments(value: Any, depth: int = 0) -> Iterator[dt.datetime]:
    if depth > 6:
        return
    if isinstance(value, dt.datetime):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _moments(getattr(value, field.name), depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _moments(item, depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _moments(item, depth + 1)


def valid_until(now: dt.datetime, context: dict[str, Any]) -> dt.datetime:
    """The next moment the page may read differently: the first moment still to come among
    those it was rendered from (deadlines, the confirmation window), at the latest the end of
    the Paris day (the funding date judged by the day)."""
    day_ends = end_of_day(paris_date(now))
    later = [moment for moment in _moments(context) if moment > now]
    return min([day_ends, *later])


def get(key: str, now: dt.datetime) -> tuple[bytes, bytes] | None:
    """(the page, its placeholder), encoded as the answer's body is, if kept and still valid
    at `now`."""
    found = caches["pages"].get(key)
    if found is None:
        return None
    until, mark, packed = found
    if now.timestamp() >= until:
        return None
    return zlib.decompress(packed), mark.encode()


def put(key: str, page: str, mark: str, until: dt.datetime) -> None:
    seconds = max(1, int(until.timestamp() - timezone.now().timestamp()) + 1)
    caches["pages"].set(key, (until.timestamp(), mark, zlib.compress(page.encode(), 1)), seconds)
