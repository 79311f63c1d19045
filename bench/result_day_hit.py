"""A result day's look taken apart against an ordinary kept hit, side by side in one process.

Usage (from the repository root):

    .venv/bin/python bench/result_day_hit.py --redis 8411 --candidates 2000
    .venv/bin/python bench/result_day_hit.py --database-url postgres://... --redis 8411

Fills a database as `signed_in.py` does (SQLite in a temporary folder, or the PostgreSQL
database given, which must be new), publishes `--candidates` decisions and renders their
pages ahead into a redis-server started on 127.0.0.1:PORT (`result_day.prepare`, as `load.py`
does), then copies every kept page, the same bytes under the same key, into a per-process
pages cache as large as needed. The same looks are then sent through the WSGI handler with
the server's environ, `--rounds` times in turn, the order swapped every round:

- `redis, all`: the result day's look (`ADMISSIONS_CACHE_URL`: both caches in Redis), every
  candidate in the request list's order;
- `local, all`: the same looks with the pages in the process (as a server without Redis);
- `local, 256` and `redis, 256`: the first 256 candidates only, as the status figure's 256
  candidates: their paths' matches and decoded sessions stay kept in the process.

No look writes its session (the idle clock's grain out of reach, as under wrk). Prints the
worker's CPU per look (`time.process_time`), the redis-server's (its /proc entry) and, on
PostgreSQL, the database server's, each kind's lowest and median round.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
from contextlib import ExitStack
from typing import Any

import result_day
import signed_in
from staff_lists import (
    analyse,
    create_applications,
    create_staff,
    load_catalogue,
    timed,
)

STATUS_CANDIDATES = 256


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=5_000)
    parser.add_argument("--candidates", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--redis", type=int, metavar="PORT", required=True)
    parser.add_argument("--database-url", help="a new PostgreSQL database (SQLite otherwise)")
    parser.add_argument(
        "--compare",
        metavar="BACKEND",
        help="also the looks with the pages in Redis through this cache backend (another "
        "version of the site's, importable from bench/), as `compare, all` and `compare, 256`",
    )
    parser.add_argument("--html-dir", help="write the first 20 looks' bodies there, per kind")
    return parser.parse_args()


def process_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def local_pages(redis_caches: dict[str, Any], count: int) -> dict[str, Any]:
    """A server's caches without Redis, its pages cache holding every kept page of Redis's:
    the same values under the same keys."""
    import redis
    from django.conf import settings
    from django.core.cache import caches
    from django.test.utils import override_settings

    local = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "result-day-hit",
            "OPTIONS": {"MAX_ENTRIES": 4 * count + 1000},
        },
    }
    values = {}
    with override_settings(CACHES=redis_caches):
        shared = caches["pages"]
        client = redis.Redis.from_url(redis_caches["pages"]["LOCATION"])
        for full in client.scan_iter(match="pages:1:*", count=1000):
            key = full.decode().split(":", 2)[2]
            values[key] = (shared.get(key), client.ttl(full))
        client.close()
    with override_settings(CACHES=local):
        for key, (value, ttl) in values.items():
            caches["pages"].set(key, value, ttl)
    print(f"  {len(values):,} pages copied into the process", flush=True)
    return local


def answer(application: Any, env: dict[str, Any]) -> bytes:
    """The answer's status, headers and body, as the server would send them."""
    head: list[str] = []

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> None:
        head.append(status)
        head.extend(f"{name}: {value}" for name, value in headers)

    body = b"".join(application(dict(env, **{"wsgi.input": io.BytesIO(b"")}), start_response))
    return "\n".join(head).encode() + b"\n\n" + body + b"\n"


def main() -> None:
    args = parse_args()
    with ExitStack() as stack:
        var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="admissions-rdhit-"))
        signed_in.setup(var_dir, args.database_url)
        from django.db import connection
        from django.test.utils import override_settings
        from served import application

        from admissions.people import session_expiry

        url, redis_pid = stack.enter_context(signed_in.redis_process(args.redis, var_dir))
        rng = random.Random(args.seed)
        timed("migrate and load rulebooks", load_catalogue)
        import load_data

        timed("open the demonstration campaigns", load_data.open_demo_campaigns)
        create_staff()
        timed("generate", lambda: create_applications(args.applications, rng))
        requests = result_day.prepare(args.candidates, rng, url + "/1")
        timed("analyse", analyse)
        envs = [signed_in.environ(request.path, request.session) for request in requests]
        redis_caches = result_day.caches_in(url + "/1")
        caches_of = {"redis": redis_caches, "local": local_pages(redis_caches, len(envs))}
        if args.compare:
            caches_of["compare"] = {
                name: dict(value, BACKEND=args.compare) if name in ("default", "pages") else value
                for name, value in redis_caches.items()
            }
        # Each set of looks through every cache side by side, so that the machine's ups and
        # downs fall on each alike.
        kinds = {
            f"{where}, {which}": (where, envs if which == "all" else envs[:STATUS_CANDIDATES])
            for which in ("all", str(STATUS_CANDIDATES))
            for where in caches_of
        }
        connection.close()
        session_expiry.grain = lambda _idle: 10**9
        if args.html_dir:
            for where, caches in caches_of.items():
                with (
                    override_settings(CACHES=caches),
                    open(f"{args.html_dir}/{where}.html", "wb") as page,
                ):
                    for env in envs[:20]:
                        page.write(answer(application, env))
        worker: dict[str, list[float]] = {}
        redis_cpu: dict[str, list[float]] = {}
        database: dict[str, list[float]] = {}
        names = list(kinds)
        for round_ in range(args.rounds):
            for kind in names if round_ % 2 == 0 else names[::-1]:
                where, kind_envs = kinds[kind]
                with override_settings(CACHES=caches_of[where]):
                    for env in kind_envs[:200]:
                        signed_in.call(application, env)
                    before = process_cpu(redis_pid)
                    figures = signed_in.run(application, kind_envs, args.requests, False)
                    redis_ms = (process_cpu(redis_pid) - before) * 1000 / args.requests
                worker.setdefault(kind, []).append(figures["cpu_ms"])
                redis_cpu.setdefault(kind, []).append(redis_ms)
                if "server_cpu_ms" in figures:
                    database.setdefault(kind, []).append(figures["server_cpu_ms"])
                print(
                    f"round {round_ + 1} {kind:12}: worker {figures['cpu_ms']:.3f} ms "
                    f"(p50 {figures['cpu_p50_ms']:.3f}), redis {redis_ms:.3f} ms"
                    + (f", database {figures['server_cpu_ms']:.3f} ms" if kind in database else ""),
                    flush=True,
                )
        print(f"\n{connection.vendor}, {args.applications} applications, {len(envs)} candidates")
        for kind in names:
            line = f"{kind:12} worker CPU lowest {min(worker[kind]):.3f} median "
            line += f"{statistics.median(worker[kind]):.3f} ms; redis median "
            line += f"{statistics.median(redis_cpu[kind]):.3f} ms"
            if kind in database:
                line += f"; database median {statistics.median(database[kind]):.3f} ms"
            print(line)
        if args.compare:
            for which in ("all", str(STATUS_CANDIDATES)):
                pairs = zip(worker[f"compare, {which}"], worker[f"redis, {which}"], strict=True)
                gained = statistics.median(compared - ours for compared, ours in pairs)
                print(f"compare less redis, {which}, median of the rounds: {gained:.3f} ms")


if __name__ == "__main__":
    main()
