"""What a look costs the worker for a path and a session it has not kept, before and after, in
turn in one process.

Usage (from the repository root):

    .venv/bin/python bench/uncached_look.py --paths 5000 --rounds 8

Sets Django up as a worker does (no database needed) and times, with `time.process_time`,
over `--paths` candidates' status pages (one in `load_data.ENGLISH_EVERY` in English, as
on result day) and as many signed-in sessions as `load_data.sessions_for` writes them:

- `resolve, Django's`: the URLconf's resolver, as a path not kept was resolved before;
- `resolve, indexed`: `core/url_index.resolve`, as it is now;
- `decode, before`: Django's decoding of the session and the JSON the store kept of it;
- `decode, now`: the store's decoding, more sessions than it keeps (each a miss).

Each kind's lowest and median round, in µs a path or a session; the matches and data are
compared before the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    os.environ["ADMISSIONS_VAR_DIR"] = tempfile.mkdtemp(prefix="uncached-look-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "admissions.settings"
    os.environ["ADMISSIONS_DEBUG"] = "false"
    os.environ["ADMISSIONS_LOG_LEVEL"] = "warning"
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()


def session_data(pk: int, now: float) -> dict[str, Any]:
    """A signed-in session's data as `load_data.sessions_for` writes it."""
    return {
        "_auth_user_id": str(pk),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": f"{pk * 7919:064x}",
        "account_authentication_methods_user": str(pk),
        "account_authentication_methods": [
            {"method": "password", "at": now, "email": f"decided{pk}@bench.invalid"},
            {"method": "mfa", "at": now, "type": "totp"},
        ],
        "admissions_since": int(now),
        "admissions_seen": int(now),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    setup()
    import load_data
    from django.contrib.sessions.backends import db
    from django.urls import get_resolver
    from django.utils import translation

    from admissions.core import url_index
    from admissions.people import sessions

    resolver = get_resolver()
    looks = []
    for n in range(args.paths):
        language = "en" if n % load_data.ENGLISH_EVERY == 0 else "fr"
        prefix = "/en" if language == "en" else ""
        looks.append((language, f"{prefix}/me/applications/NE-2026-{n:06d}/status/"))
    now = time.time()
    djangos_store = db.SessionStore()
    texts = [djangos_store.encode(session_data(n, now)) for n in range(args.paths)]
    ours = sessions.SessionStore()

    def resolve_djangos() -> None:
        for language, path in looks:
            translation.activate(language)
            resolver.resolve(path)

    def resolve_indexed() -> None:
        for language, path in looks:
            translation.activate(language)
            url_index.resolve(resolver, path, language)

    def decode_before() -> None:
        for text in texts:
            json.dumps(djangos_store.decode(text))

    def decode_now() -> None:
        for text in texts:
            ours.decode(text)

    for language, path in looks[:200]:
        with translation.override(language):
            theirs = vars(resolver.resolve(path))
            found = vars(url_index.resolve(resolver, path, language))
            assert {**theirs, "tried": None} == found, path
    for text in texts[:200]:
        assert djangos_store.decode(text) == ours.decode(text)

    kinds: dict[str, Callable[[], None]] = {
        "resolve, Django's": resolve_djangos,
        "resolve, indexed": resolve_indexed,
        "decode, before": decode_before,
        "decode, now": decode_now,
    }
    times: dict[str, list[float]] = {name: [] for name in kinds}
    for round_ in range(args.rounds):
        order = list(kinds) if round_ % 2 == 0 else list(reversed(kinds))
        for name in order:
            start = time.process_time()
            kinds[name]()
            times[name].append((time.process_time() - start) / args.paths * 1e6)
    translation.deactivate()
    for name, taken in times.items():
        print(f"{name:20} lowest {min(taken):6.1f} µs, median {statistics.median(taken):6.1f} µs")


if __name__ == "__main__":
    main()
