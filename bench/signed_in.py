"""CPU time of a signed-in request in one process: kept status pages against the bare view.

Usage (from the repository root):

    .venv/bin/python bench/signed_in.py --database sqlite --applications 100000
    .venv/bin/python bench/signed_in.py --database postgres --profile status

Fills a database as `load.py` does (SQLite in a temporary folder, or a throw-away
PostgreSQL cluster), then calls the project's WSGI handler directly, in this process, with
the environ a server would pass: the bare view (`served.py`), `/healthz`, and the status
pages of `load_data.status_pages`, each rendered once and then served kept. The
request-started and request-finished signals stay connected and DEBUG is off, as in a
worker. Prints, for each kind, the CPU time per request (`time.process_time`), the wall time
and the statements sent (counted by an execute wrapper); with `--explain`, the version
query's plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite); with
`--profile KIND`, the top of cProfile's listings for that kind (by cumulative and by own
time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from staff_lists import (
    ROOT,
    analyse,
    create_applications,
    create_staff,
    load_catalogue,
    throwaway_postgres,
    timed,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="append", default=[])
    return parser.parse_args()


def setup(var_dir: str, database_url: str | None) -> None:
    os.environ["ADMISSIONS_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "admissions.settings"
    os.environ["ADMISSIONS_DEBUG"] = "false"
    os.environ["ADMISSIONS_LOG_LEVEL"] = "warning"
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


def environ(path: str, session: str) -> dict[str, Any]:
    import load_data

    cookie = f"{load_data.SESSION_COOKIE}={session}; {load_data.CSRF_COOKIE}=" + (
        load_data.CSRF_SECRET
    )
    return {
        "REQUEST_METHOD": "GET",
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

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def call(application: Any, env: dict[str, Any]) -> int:
    statuses: list[str] = []

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> None:
        statuses.append(status)

    env = dict(env, **{"wsgi.input": io.BytesIO(b"")})
    body = application(env, start_response)
    for _chunk in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(statuses[0].split()[0])


def run(
    application: Any, envs: list[dict[str, Any]], count: int, profile: bool
) -> dict[str, float]:
    from django.db import connection

    counter = Counter()
    profiler = cProfile.Profile() if profile else None
    with connection.execute_wrapper(counter):
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(count):
            status = call(application, envs[i % len(envs)])
            if status != 200:
                raise RuntimeError(f"{envs[i % len(envs)]['PATH_INFO']}: {status}")
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        print(out.getvalue())
        print(f"function calls per request: {stats.total_calls / count:.0f}")  # type: ignore[attr-defined]
    return {
        "cpu_ms": cpu * 1000 / count,
        "wall_ms": wall * 1000 / count,
        "queries": counter.count / count,
    }


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


def measure(args: argparse.Namespace, database_url: str | None, var_dir: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    setup(var_dir, database_url)
    import load_data
    from django.db import connection

    print(f"database: {connection.vendor}, applications: {args.applications}", flush=True)
    timed("migrate and load rulebooks", load_catalogue)
    timed("open the demonstration campaigns", load_data.open_demo_campaigns)
    staff = create_staff()
    rng = random.Random(args.seed)
    timed("generate", lambda: create_applications(args.applications, rng))
    status = timed("status pages", lambda: load_data.status_pages(rng))
    officer = staff["admissions_officer"].pk
    officer_session = load_data.sessions_for([officer])[officer]
    timed("analyse", analyse)
    connection.close()

    from django.urls import reverse
    from served import BARE_PATH, application

    envs = {
        "bare": [environ("/" + BARE_PATH, "")],
        "healthz": [environ("/healthz", "")],
        "status": [environ(request.path, request.session) for request in status],
        "staff-home": [environ(reverse("office:home"), officer_session)],
    }
    if args.explain:
        explain(envs["status"])
    # Every page rendered and kept once; templates compiled; connections opened.
    for kind_envs in envs.values():
        for env in kind_envs:
            call(application, env)
    results = {}
    for round_ in (1, 2):
        for kind in ("bare", "healthz", "status", "staff-home"):
            profile = round_ == 2 and kind in args.profile
            # The staff's home reads its lists: a tenth as many requests.
            count = args.requests // 10 if kind == "staff-home" else args.requests
            results[f"{kind} ({round_})"] = run(application, envs[kind], count, profile)
    print(f"\n{connection.vendor}, {args.applications} applications, {args.requests} requests each")
    for kind, figures in results.items():
        print(
            f"{kind:16} CPU {figures['cpu_ms']:.3f} ms, wall {figures['wall_ms']:.3f} ms, "
            f"{figures['queries']:.1f} statements"
        )


def main() -> None:
    args = parse_args()
    with ExitStack() as stack:
        var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="admissions-signed-in-"))
        url = None
        if args.database == "postgres":
            url = stack.enter_context(throwaway_postgres())
        measure(args, url, var_dir)


if __name__ == "__main__":
    main()
