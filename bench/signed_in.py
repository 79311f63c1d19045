"""CPU time of a signed-in request in one process: status pages, the staff's home, the bare view.

Usage (from the repository root):

    .venv/bin/python bench/signed_in.py --database sqlite --applications 100000
    .venv/bin/python bench/signed_in.py --database postgres --profile status
    .venv/bin/python bench/signed_in.py --kinds staff-first,staff-last --profile staff-first
    .venv/bin/python bench/signed_in.py --redis 8411
    .venv/bin/python bench/signed_in.py --kinds drafts,eligibility --profile drafts
    .venv/bin/python bench/signed_in.py --kinds bare,result-day --redis 8411 --candidates 2000

Fills a database as `load.py` does (SQLite in a temporary folder, or a throw-away
PostgreSQL cluster), then calls the project's WSGI handler directly, in this process, with
the environ a server would pass: the bare view (`served.py`), `/healthz`, and the status
pages of `load_data.status_pages`, each rendered once and then served kept, and the staff's
home as `load.py` requests it (`staff-first`: the admissions officer's signed-in session,
`GET /office/`; `staff-last`: the URL of its "Oldest" link), the public eligibility check
(`load_data.eligibility_checks`, POST) and draft creation through the API (`load_data.drafts`,
POST, each request by a candidate who has no file there yet). The
request-started and request-finished signals stay connected and DEBUG is off, as in a
worker. Prints, for each kind, the CPU time per request (`time.process_time`), the wall time
and the statements sent (counted by an execute wrapper); with `--explain`, the version
query's plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite); with
`--profile KIND`, the top of cProfile's listings for that kind (by cumulative and by own
time). With `--redis PORT`, a
redis-server started on that loopback port holds the sessions in front of the database
(Django's `cached_db`, `cached_sessions.py`: what a site with `ADMISSIONS_CACHE_URL` used
before the seventh round) and the status pages are measured again, their pages kept in
that Redis as such a site keeps them (the result day's look: `status, database`): each
session's first look (the cache emptied before each pass over them) and a repeated look,
against the database's store in the same process. `--rounds N` times each kind N times in
turn and gives its lowest and median round.

`--kinds result-day --redis PORT` (never among the default kinds) is `load.py`'s result day
in this process (`result_day.py`): `--candidates N` (10,000) new candidates' decisions
published, their pages rendered ahead into that Redis by the publication's tasks, then passes
over every candidate's look in the request list's order, with a server's caches in Redis: a
session's first look in the phase (its idle clock written) and a look again, each with the
answers of the decoded sessions' cache, the kept pages and the version read with the session.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import result_day
from staff_lists import (
    ROOT,
    analyse,
    create_applications,
    create_staff,
    load_catalogue,
    staff_token,
    throwaway_postgres,
    timed,
)

# Written in a kept folder (`--var-dir`) once its database is filled.
FILLED = "filled"
OFFICER = "admissions_officer@bench.invalid"
KINDS = (
    "bare",
    "healthz",
    "status",
    "staff-first",
    "staff-last",
    "api-queue",
    "queue-page",
    "eligibility",
    "drafts",
    "result-day",
)
# Timed only when asked for (it takes a Redis, `--redis`, and its own data).
RESULT_DAY = "result-day"
# The queue's filters as `scale_load.py` asks for them: EU nationals on work-study.
QUEUE_FILTERS = "nationality=eu&track=work_study"
# Draft creations answer 201; every other kind 200.
EXPECTED = {"drafts": 201}
# ADMISSIONS_BENCH_STATEMENTS=1: each kind's statements listed by their beginning.
SHOW_STATEMENTS = os.environ.get("ADMISSIONS_BENCH_STATEMENTS") == "1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument(
        "--data",
        choices=("load", "scale"),
        default="load",
        help="the files of load.py, or those of scale_data.py (make bench-scale's)",
    )
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="append", default=[], choices=KINDS)
    parser.add_argument("--profile-dir", help="also write each profile there, as KIND.prof")
    parser.add_argument(
        "--var-dir",
        help="SQLite only: a folder kept between runs, filled on the first and reused after",
    )
    parser.add_argument(
        "--kinds",
        default=",".join(kind for kind in KINDS if kind != RESULT_DAY),
        help="comma-separated kinds to time, among " + ", ".join(KINDS),
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database kept between runs instead of a throw-away cluster: "
        "filled on the first run, reused after",
    )
    parser.add_argument("--redis", type=int, metavar="PORT")
    parser.add_argument(
        "--candidates",
        type=int,
        default=10_000,
        help="result-day: candidates whose decision is published, each looking at it",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="timed passes of each kind, taken in turn; each kind's lowest and median round",
    )
    parser.add_argument(
        "--html-dir", help="also write the body of each kind's first request there, as KIND.html"
    )
    return parser.parse_args()


def setup(var_dir: str, database_url: str | None) -> None:
    os.environ["ADMISSIONS_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "admissions.settings"
    os.environ["ADMISSIONS_DEBUG"] = "false"
    os.environ["ADMISSIONS_LOG_LEVEL"] = "warning"
    # One address and one user send every request, as in load.py: no API rate limit.
    os.environ["ADMISSIONS_API_RATE_PER_MINUTE"] = "0"
    if database_url:
        os.environ["ADMISSIONS_DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # The hashed-names manifest exists only after collectstatic; name the assets plainly.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


def environ(
    path: str, session: str, method: str = "GET", body: str = "", bearer: str = ""
) -> dict[str, Any]:
    import load_data

    cookie = f"{load_data.SESSION_COOKIE}={session}; {load_data.CSRF_COOKIE}=" + (
        load_data.CSRF_SECRET
    )
    extra: dict[str, Any] = {}
    if bearer:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
    if method != "GET":
        extra |= {"CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body.encode()))}
        if session:
            extra["HTTP_X_CSRFTOKEN"] = load_data.CSRF_SECRET
    return {
        **extra,
        "body": body.encode(),
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie if session else "",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


class Counter:
    """Counts the statements sent through Django's cursors (DEBUG off)."""

    def __init__(self) -> None:
        self.count = 0
        self.kinds: collections.Counter[str] = collections.Counter()
        # Each text is one statement prepared by SQLite (sqlite3 keeps `cached_statements`
        # of them per connection, settings.py).
        self.texts: set[str] = set()

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        self.texts.add(sql)
        if SHOW_STATEMENTS:
            self.kinds[sql[:70]] += 1
        return execute(sql, params, many, context)


def call(application: Any, env: dict[str, Any]) -> int:
    statuses: list[str] = []

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> None:
        statuses.append(status)

    env = dict(env, **{"wsgi.input": io.BytesIO(env["body"])})
    body = application(env, start_response)
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(statuses[0].split()[0])


def run(
    application: Any,
    envs: list[dict[str, Any]],
    count: int,
    profile: bool,
    expected: int = 200,
    profile_to: str | None = None,
) -> dict[str, float]:
    from django.db import connection

    counter = Counter()
    samples: list[float] = []
    server = server_cpu()
    # CPU time, as the figures: waits on the disk or the database are not this process's work.
    profiler = cProfile.Profile(time.process_time) if profile else None
    with connection.execute_wrapper(counter):
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(count):
            started = time.process_time()
            status = call(application, envs[i % len(envs)])
            samples.append(time.process_time() - started)
            if status != expected:
                raise RuntimeError(f"{envs[i % len(envs)]['PATH_INFO']}: {status}")
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    server_ms = (server_cpu() - server) * 1000 / count if server is not None else None
    print(f"  {len(counter.texts)} different statements")
    for sql, times in counter.kinds.most_common():
        print(f"  {times / count:.2f} a request: {sql}")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        print(out.getvalue())
        if profile_to:
            profiler.dump_stats(profile_to)
        print(f"function calls per request: {stats.total_calls / count:.0f}")  # type: ignore[attr-defined]
    return {
        "cpu_ms": cpu * 1000 / count,
        # On a shared machine the median and the least of the requests say more than the mean.
        "cpu_p50_ms": statistics.median(samples) * 1000,
        "cpu_min_ms": min(samples) * 1000,
        "wall_ms": wall * 1000 / count,
        "queries": counter.count / count,
        **({"server_cpu_ms": server_ms} if server_ms is not None else {}),
    }


def server_cpu() -> float | None:
    """The CPU seconds the PostgreSQL server process of this connection has used (its
    /proc entry: the server runs on this machine), or None on SQLite. The connection is
    kept between requests (CONN_MAX_AGE), so the difference over a pass is the database's
    work for that pass's requests."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    # utime and stime, the 14th and 15th fields (11th and 12th after the name).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def explain(status_envs: list[dict[str, Any]]) -> None:
    from django.db import connection

    from admissions.applications.models import Application
    from admissions.workflow import status_version

    reference = status_envs[0]["PATH_INFO"].rstrip("/").split("/")[-2]
    found = Application.objects.filter(reference=reference).values("candidate_id").first()
    assert found is not None
    statement = status_version._statement("default")
    sql = statement.sql
    params = list(statement.params)
    params[statement.slots[0]] = found["candidate_id"]
    params[statement.slots[1]] = reference
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        for row in cursor.fetchall():
            print(" | ".join(str(cell) for cell in row))
    values = [found["candidate_id"], reference]
    for label, run_once in (
        ("as text", lambda: _plain(sql, params)),
        ("prepared", lambda: statement.fetchone(values)),
    ):
        run_once()
        started = time.perf_counter()
        for _ in range(200):
            run_once()
        print(f"version query {label}: {(time.perf_counter() - started) * 5:.3f} ms a call")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN ANALYZE EXECUTE {statement.name}(%s, %s)", values)
            for (line,) in cursor.fetchall():
                if line.startswith(("Planning", "Execution")):
                    print(f"prepared: {line}")


def _plain(sql: str, params: list[Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchone()


def body_of(application: Any, env: dict[str, Any]) -> bytes:
    env = dict(env, **{"wsgi.input": io.BytesIO(env["body"])})
    body = application(env, lambda status, headers, exc_info=None: None)
    chunks = list(body)
    if hasattr(body, "close"):
        body.close()
    return b"".join(chunks)


def last_page(application: Any, env: dict[str, Any]) -> str:
    """The home's last page, as its "Oldest" link gives it (as `load.py` finds it)."""
    link = re.search(r'href="(\?[^"]*)" rel="last"', body_of(application, env).decode())
    if link is None:
        raise RuntimeError(f"no link to the last page on {env['PATH_INFO']}")
    return env["PATH_INFO"] + link[1].replace("&amp;", "&")


def _with_query(env: dict[str, Any], url: str) -> dict[str, Any]:
    path, _, query = url.partition("?")
    return dict(env, PATH_INFO=path, QUERY_STRING=query)


@contextmanager
def redis_server(port: int, var_dir: str) -> Iterator[str]:
    """A redis-server without persistence on 127.0.0.1:`port`, as the tests start one."""
    with redis_process(port, var_dir) as (url, _):
        yield url


@contextmanager
def redis_process(port: int, var_dir: str) -> Iterator[tuple[str, int]]:
    """`redis_server`'s server: its URL and its process id (to read its CPU)."""
    import redis

    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", var_dir]
    command += ["--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                if redis.Redis.from_url(url).ping():
                    break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            raise SystemExit(f"redis-server did not answer on port {port}")
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def sessions_in_redis(
    url: str, envs: list[dict[str, Any]], count: int
) -> dict[str, dict[str, float]]:
    """The status pages with each session store: the database's, and `cached_db` in front
    of it (a session's first look, then a repeated one), their passes taken in turn so
    that the machine's ups and downs fall on each alike."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    from admissions.people import session_expiry

    redis = {"BACKEND": settings.REDIS_CACHE, "LOCATION": url}
    # The pages in Redis as a site with ADMISSIONS_CACHE_URL keeps them (the result day's
    # look: the page read from Redis), in a database of their own so that emptying the
    # sessions' cache leaves them.
    pages = {**redis, "LOCATION": url.rsplit("/", 1)[0] + "/1", "KEY_PREFIX": "pages"}
    # Reads only: the idle clock's write (when it has moved by its grain, to the database
    # with either store, to the cache as well with `cached_db`) would fall in whichever pass
    # crosses the grain.
    grain, session_expiry.SEEN_GRAIN = session_expiry.SEEN_GRAIN, 10**9
    passes: dict[str, list[dict[str, float]]] = {}
    with override_settings(CACHES={**settings.CACHES, "default": redis, "pages": pages}):
        handlers = {"database": WSGIHandler()}
        with override_settings(SESSION_ENGINE="cached_sessions"):
            handlers["cached_db"] = WSGIHandler()
        for handler in handlers.values():
            for env in envs:
                call(handler, env)
        for _ in range(max(1, 2 * count // len(envs))):
            passes.setdefault("status, database", []).append(
                run(handlers["database"], envs, len(envs), False)
            )
            caches["default"].clear()
            for kind in ("first look", "repeated"):
                passes.setdefault(f"status, cached_db, {kind}", []).append(
                    run(handlers["cached_db"], envs, len(envs), False)
                )
    session_expiry.SEEN_GRAIN = grain
    return {
        kind: {key: sum(one[key] for one in runs) / len(runs) for key in runs[0]}
        for kind, runs in passes.items()
    }


def result_day_looks(
    args: argparse.Namespace, application: Any, url: str, rng: random.Random
) -> dict[str, dict[str, float]]:
    """Every candidate of the result day looking at their decision (`result_day.py`), each
    pass over all of them in the request list's order: a session's first look (its idle
    clock written) and a look again, `--rounds` times in turn."""
    from django.test.utils import override_settings

    from admissions.people import session_expiry

    requests = result_day.prepare(args.candidates, rng, url)
    timed("analyse", analyse)
    envs = [environ(request.path, request.session) for request in requests]
    looks = result_day.Looks()
    results: dict[str, dict[str, float]] = {}
    grain = session_expiry.grain
    with override_settings(CACHES=result_day.caches_in(url)):
        if args.html_dir:
            with open(f"{args.html_dir}/{RESULT_DAY}.html", "wb") as page:
                page.write(b"".join(body_of(application, env) for env in envs[:20]))
        for round_ in range(1, max(2, args.rounds) + 1):
            for look, seen_grain in (("first look", 0), ("again", 10**9)):
                kind = f"{RESULT_DAY}, {look}"
                session_expiry.grain = lambda _idle, seconds=seen_grain: seconds
                profile = round_ == 2 and RESULT_DAY in args.profile
                name = look.replace(" ", "-")
                folder = args.profile_dir
                dump = f"{folder}/{RESULT_DAY}-{name}.prof" if profile and folder else None
                with looks.counting():
                    figures = run(application, envs, len(envs), profile, 200, dump)
                print(f"{kind}, round {round_}: CPU {figures['cpu_ms']:.3f} ms a request")
                print(looks.ratios(len(envs)), flush=True)
                if not profile:
                    results.setdefault(kind, figures)
                    if figures["cpu_ms"] < results[kind]["cpu_ms"]:
                        results[kind] = figures
    session_expiry.grain = grain
    return results


def measure(args: argparse.Namespace, database_url: str | None, var_dir: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    setup(var_dir, database_url)
    import load_data
    import scale_data
    from django.core.management import call_command
    from django.db import connection

    from admissions.people.models import User

    print(f"database: {connection.vendor}, applications: {args.applications}", flush=True)
    rng = random.Random(args.seed)
    filled = os.path.join(var_dir, FILLED)
    kept = bool(args.database_url) and (
        User._meta.db_table in connection.introspection.table_names()
        and User.objects.filter(email=OFFICER).exists()
    )
    if (os.path.exists(filled) or kept) and RESULT_DAY in args.kinds.split(","):
        raise SystemExit("result-day publishes decisions of its own: it takes a new database")
    if os.path.exists(filled) or kept:
        # A kept SQLite folder: the same files again, with the branch's migrations applied.
        timed("migrate", lambda: call_command("migrate", verbosity=0))
        staff = {"admissions_officer": User.objects.get(email=OFFICER)}
    else:
        if args.data == "scale":
            timed("migrate and load rulebooks", scale_data.catalogue)
            staff = create_staff()
            timed("generate", lambda: scale_data.generate(args.applications, rng))
            timed("open the campaigns", load_data.open_demo_campaigns)
        else:
            timed("migrate and load rulebooks", load_catalogue)
            timed("open the demonstration campaigns", load_data.open_demo_campaigns)
            staff = create_staff()
            timed("generate", lambda: create_applications(args.applications, rng))
        with open(filled, "w", encoding="utf-8") as marker:
            marker.write(f"{args.applications}\n")
    status = (
        timed("status pages", lambda: load_data.status_pages(rng)) if "status" in args.kinds else []
    )
    # Each draft is created once: one per request of each round, and one to warm up.
    drafts = (
        timed("draft requests", lambda: load_data.drafts(2 * args.requests + 1))
        if "drafts" in args.kinds
        else []
    )
    timed("analyse", analyse)
    officer = load_data.sessions_for([staff["admissions_officer"].pk])
    officer_session = officer[staff["admissions_officer"].pk]
    connection.close()

    from django.urls import reverse
    from served import BARE_PATH, application

    def posted(requests: list[load_data.Request]) -> list[dict[str, Any]]:
        return [environ(r.path, r.session, r.method, r.body) for r in requests]

    home = reverse("office:home")
    last = last_page(application, environ(home, officer_session))
    token = staff_token(staff["admissions_officer"])
    api_queue = f"{reverse('api:staff_files')}?{QUEUE_FILTERS}"
    queue_page = f"{reverse('office:queue')}?{QUEUE_FILTERS}&sort=waiting"
    envs = {
        "bare": [environ("/" + BARE_PATH, "")],
        "healthz": [environ("/healthz", "")],
        "status": [environ(request.path, request.session) for request in status],
        "staff-first": [environ(home, officer_session)],
        "staff-last": [_with_query(environ(home, officer_session), last)],
        "api-queue": [_with_query(environ(home, "", bearer=token), api_queue)],
        "queue-page": [_with_query(environ(home, officer_session), queue_page)],
        "eligibility": posted(load_data.eligibility_checks()),
        "drafts": posted(drafts),
    }
    kinds = [kind for kind in args.kinds.split(",") if kind and kind != RESULT_DAY]
    envs = {kind: envs[kind] for kind in kinds}
    if args.explain:
        explain(envs["status"])
    # Every page rendered and kept once; templates compiled; connections opened.
    for kind, kind_envs in envs.items():
        for env in kind_envs[:1] if kind == "drafts" else kind_envs:
            if (status := call(application, env)) != EXPECTED.get(kind, 200):
                raise RuntimeError(f"{env['PATH_INFO']}: {status}")
        if args.html_dir and kind != "drafts":
            # To compare a page before and after a change, byte for byte.
            with open(f"{args.html_dir}/{kind}.html", "wb") as page:
                page.write(body_of(application, kind_envs[0]))
    # Reads only: the idle clock's write of each session (when it has moved by its grain)
    # would fall in whichever pass crosses the grain, and its extra statement in the
    # profiled one.
    from admissions.people import session_expiry

    session_expiry.SEEN_GRAIN = 10**9
    rounds = {}
    if "drafts" in envs:
        fresh = envs["drafts"][1:]
        rounds["drafts"] = iter((fresh[: args.requests], fresh[args.requests :]))
    results = {}
    per_round: dict[str, list[float]] = {}
    per_round_server: dict[str, list[float]] = {}
    for round_ in range(1, max(2, args.rounds) + 1):
        for kind in kinds:
            if kind in rounds and round_ > 2:
                continue  # each draft is created once: two rounds of them
            # The profiled pass is the second, as before, and not counted among the rounds.
            profile = round_ == 2 and kind in args.profile
            kind_envs = next(rounds[kind]) if kind in rounds else envs[kind]
            dump = f"{args.profile_dir}/{kind}.prof" if profile and args.profile_dir else None
            figures = run(
                application, kind_envs, args.requests, profile, EXPECTED.get(kind, 200), dump
            )
            if round_ <= 2:
                results[f"{kind} ({round_})"] = figures
            if not profile:
                per_round.setdefault(kind, []).append(figures["cpu_ms"])
                if "server_cpu_ms" in figures:
                    per_round_server.setdefault(kind, []).append(figures["server_cpu_ms"])
    if args.redis and "status" in envs:
        with redis_server(args.redis, var_dir) as url:
            results.update(sessions_in_redis(url, envs["status"], args.requests))
    if RESULT_DAY in args.kinds.split(","):
        if not args.redis:
            raise SystemExit("result-day: give a port for its Redis (--redis PORT)")
        with redis_server(args.redis, var_dir) as url:
            results.update(result_day_looks(args, application, url.rsplit("/", 1)[0] + "/1", rng))
    print(f"\n{connection.vendor}, {args.applications} applications, {args.requests} requests each")
    for kind, figures in results.items():
        server = figures.get("server_cpu_ms")
        print(
            f"{kind:30} CPU {figures['cpu_ms']:.3f} ms (p50 {figures['cpu_p50_ms']:.3f}, "
            f"min {figures['cpu_min_ms']:.3f}), wall {figures['wall_ms']:.3f} ms, "
            f"{figures['queries']:.1f} statements"
            + (f", database server CPU {server:.3f} ms" if server is not None else "")
        )
    for kind, cpus in per_round.items():
        servers = per_round_server.get(kind)
        print(
            f"{kind:30} CPU per request, {len(cpus)} rounds: lowest {min(cpus):.3f} ms, "
            f"median {statistics.median(cpus):.3f} ms"
            + (
                f"; database server: lowest {min(servers):.3f} ms, "
                f"median {statistics.median(servers):.3f} ms"
                if servers
                else ""
            )
        )


def main() -> None:
    args = parse_args()
    with ExitStack() as stack:
        var_dir = args.var_dir or stack.enter_context(
            tempfile.TemporaryDirectory(prefix="admissions-signed-in-")
        )
        url = args.database_url
        if args.database == "postgres" and url is None:
            if args.var_dir:
                raise SystemExit("--var-dir keeps a SQLite database only")
            url = stack.enter_context(throwaway_postgres())
        measure(args, url, var_dir)


if __name__ == "__main__":
    main()
