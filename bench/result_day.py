"""The result day's looks in one process, for `signed_in.py`'s `result-day` kind.

As `load.py`'s "result-day" figure: `load_data.decision_pages` publishes the decisions of
`count` new candidates with the pages cache in Redis, each with a signed-in session of their
own; their pages are rendered ahead by the publication's tasks (`portal.status_ahead`, run
here in this process); then every candidate looks at their page, in the shuffled order of
the request list that wrk's script sends (`requests.lua`: each thread a share of the lines,
in order), with the server's caches (`ADMISSIONS_CACHE_URL`: both in Redis).

A look notes the request's time in the session when the idle clock has moved by its grain
(`people.session_expiry`: a hundredth of a candidate's week, about 100 minutes): a
candidate's first look after that long writes the session, their later looks do not. Under
wrk the sessions were signed in minutes before the phase (the pages rendered ahead in
between), as by candidates who log in for the result: no look of the phase writes. The two
are timed apart: `first look` with the grain at zero (every look writes), `again` with it out
of reach (none does).
"""

from __future__ import annotations

import collections
import contextlib
import random
from collections.abc import Iterator
from typing import Any

from staff_lists import timed


def caches_in(url: str) -> dict[str, Any]:
    """The caches of a server with `ADMISSIONS_CACHE_URL=url` (settings.py)."""
    from django.conf import settings

    redis = settings.REDIS_CACHE
    return {
        **settings.CACHES,
        "default": {"BACKEND": redis, "LOCATION": url},
        "pages": {"BACKEND": redis, "LOCATION": url, "KEY_PREFIX": "pages"},
    }


def prepare(count: int, rng: random.Random, url: str) -> list[Any]:
    """The decision pages' requests (`load_data.Request`), their pages rendered ahead into
    the pages cache at `url`, as the publication's tasks render them."""
    import load_data
    from django.test.utils import override_settings
    from django_tasks_db.models import DBTaskResult

    from admissions.portal.status_ahead import render_ahead

    requests = timed(
        f"publish {count:,} decisions", lambda: load_data.decision_pages(count, rng, url)
    )
    path = render_ahead.module_path
    queued = [
        arguments["args"][0]
        for arguments in DBTaskResult.objects.ready()
        .filter(task_path=path)
        .values_list("args_kwargs", flat=True)
    ]
    # The publication's emails are not sent, as in load.py: their tasks are dropped.
    DBTaskResult.objects.all().delete()

    def render() -> int:
        with override_settings(CACHES=caches_in(url)):
            return sum(render_ahead.call(ids) for ids in queued)

    rendered = timed("render the pages ahead", render)
    print(f"  {rendered:,} pages rendered ahead by {len(queued)} tasks", flush=True)
    return requests


class Looks:
    """What the caches a look goes through answered: the decoded sessions (per process),
    the kept pages, the version read with the session (`portal.status_rider`)."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        from django.contrib.sessions.backends.db import SessionStore as DjangoStore

        from admissions.people import sessions
        from admissions.portal import status_cache, status_rider

        decode, get, version = DjangoStore.decode, status_cache.get, status_rider.version
        counts = self.counts

        def counted_decode(store: Any, data: Any) -> Any:
            counts["session decoded"] += 1
            return decode(store, data)

        def counted_get(key: str, now: Any) -> Any:
            found = get(key, now)
            counts["page kept" if found is not None else "page missed"] += 1
            return found

        def counted_version(request: Any, user_id: int, reference: str) -> Any:
            found = version(request, user_id, reference)
            counts["version with the session" if found else "version read apart"] += 1
            return found

        original = sessions.JoinedRead.decode

        def counted_lookup(store: Any, data: Any) -> Any:
            counts["session looked up"] += 1
            return original(store, data)

        DjangoStore.decode = counted_decode  # type: ignore[method-assign]
        sessions.JoinedRead.decode = counted_lookup  # type: ignore[method-assign]
        status_cache.get = counted_get
        status_rider.version = counted_version
        try:
            yield
        finally:
            DjangoStore.decode = decode  # type: ignore[method-assign]
            sessions.JoinedRead.decode = original  # type: ignore[method-assign]
            status_cache.get = get
            status_rider.version = version

    def ratios(self, requests: int) -> str:
        counts = self.counts
        looked = counts["session looked up"]
        decoded_hits = looked - counts["session decoded"]
        pages = counts["page kept"] + counts["page missed"]
        versions = counts["version with the session"] + counts["version read apart"]
        parts = [
            f"decoded sessions {decoded_hits}/{looked} kept",
            f"pages {counts['page kept']}/{pages} kept",
            f"version with the session {counts['version with the session']}/{versions}",
        ]
        self.counts.clear()
        return f"  over {requests:,} requests: " + ", ".join(parts)
