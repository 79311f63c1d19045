"""Throughput, latency and memory of the served application under load (`make bench`).

Usage (from the repository root):

    .venv/bin/python bench/load.py                      # 100,000 applications, both databases
    .venv/bin/python bench/load.py --applications 2000 --databases sqlite --duration 2 --runs 1
    .venv/bin/python bench/load.py --profile drafts     # py-spy on a worker during one figure

For each database (SQLite in a temporary folder, then a throw-away PostgreSQL cluster on
127.0.0.1), a process of its own fills the database with the staff lists' generator and
the requests below, starts granian as production runs it (WSGI, two workers, DEBUG off),
drives each figure with wrk on 127.0.0.1 and samples the workers' memory. The figures are
written to bench/RESULTS.md, between the markers of its "Serving under load" section, and
the path is printed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cluster_services import redis_server
from cluster_services import started as started_process
from load_server import (
    WORKERS,
    MemorySampler,
    Server,
    collected_static,
    profile,
    profile_summary,
    run_wrk,
    stop_on_term,
)
from results_file import write_section
from staff_lists import (
    ROOT,
    analyse,
    create_applications,
    create_staff,
    load_catalogue,
    migrated_options,
    postgres_database,
    setup_django,
    start_from_migrated,
    timed,
)

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN = "<!-- load.py: begin -->"
END = "<!-- load.py: end -->"
DATABASES = ("sqlite", "postgres")
# Kept status pages hold at most until midnight there.
PARIS = ZoneInfo("Europe/Paris")
# (figure, kind of request, clients), in the order they run.
PHASES = [
    ("bare-1", "bare", 1),
    ("bare-8", "bare", 8),
    ("bare-16", "bare", 16),
    ("eligibility", "eligibility", 8),
    ("status", "status", 16),
    ("staff-first", "staff-first", 1),
    ("staff-last", "staff-last", 1),
    ("drafts", "drafts", 8),
    # Every candidate looks at their decision at once (load_data.decision_pages), on a server
    # of its own with the pages cache in Redis, the pages rendered ahead (RESULT_DAY).
    ("result-day", "result-day", 16),
]
RESULT_DAY = "result-day"
# Seconds the publication's tasks may take to render the result day's pages.
RENDER_AHEAD_TIMEOUT = 20 * 60
# Drafts are created by distinct candidates; the pool is sized for this rate at most.
MAX_DRAFT_RATE = 2000
# Threads of each granian worker, as docs/operations.md runs it (0: granian's default).
BLOCKING_THREADS = 2
# Statuses a correct answer of each kind has (anything else stops the bench before the load).
EXPECTED = {"drafts": 201}
# Seconds one database's whole process may take before it is stopped.
CHILD_TIMEOUT = 40 * 60


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median)")
    parser.add_argument(
        "--warm-up", type=float, default=2.0, help="seconds before each figure (0: none)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--profile", action="append", default=[], help="figure to profile with py-spy"
    )
    parser.add_argument(
        "--profiles-dir", type=Path, help="keep py-spy's raw profiles (collapsed stacks) here"
    )
    parser.add_argument(
        "--only",
        help="comma-separated figures to measure (default: all); a partial run "
        "prints its figures and writes no results",
    )
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=BLOCKING_THREADS,
        help=f"granian's threads per worker (default {BLOCKING_THREADS}, as docs/operations.md)",
    )
    parser.add_argument(
        "--server-venv",
        type=Path,
        default=Path(sys.prefix),
        help="the virtual environment the server runs from (make bench: one with the runtime "
        "dependencies only, as production installs them); default: this one",
    )
    parser.add_argument(
        "--result-day-candidates",
        type=int,
        default=10_000,
        help="candidates whose decision is published for the result day figure",
    )
    parser.add_argument("--seed", type=int, default=2026)
    migrated_options(parser)
    parser.add_argument("--one", choices=DATABASES, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    unknown = set(args.databases.split(",")) - set(DATABASES)
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    figures = {phase for phase, _, _ in PHASES}
    if set(args.profile) - figures:
        parser.error(f"--profile takes one of {', '.join(sorted(figures))}")
    args.phases = args.only.split(",") if args.only else [phase for phase, _, _ in PHASES]
    if set(args.phases) - figures:
        parser.error(f"--only takes some of {', '.join(sorted(figures))}")
    return args


def main() -> None:
    args = parse_args()
    stop_on_term()
    if args.one:
        with tempfile.TemporaryDirectory(prefix="admissions-load-") as var_dir:
            if args.one == "postgres":
                with postgres_database(args.migrated_postgres) as url:
                    result = measure(args, Path(var_dir), url)
            else:
                result = measure(args, Path(var_dir), None)
        args.output.write_text(json.dumps(result), encoding="utf-8")
        return
    started = time.monotonic()
    results = {}
    with tempfile.TemporaryDirectory(prefix="admissions-load-out-") as folder:
        for database in args.databases.split(","):
            output = Path(folder) / f"{database}.json"
            command = [sys.executable, __file__, *sys.argv[1:], "--one", database]
            command += ["--output", str(output)]
            print(f"== {database}", flush=True)
            subprocess.run(command, check=True, timeout=CHILD_TIMEOUT)
            results[database] = json.loads(output.read_text(encoding="utf-8"))
    elapsed = time.monotonic() - started
    if args.only:
        print(f"\nwhole run: {elapsed / 60:.1f} min; a partial run writes no results")
    else:
        write_results(args, results, elapsed)
        print(f"\nwhole run: {elapsed / 60:.1f} min; results written to {args.results}")
    failed = [
        f"{database} {phase}"
        for database, result in results.items()
        for phase, figure in result["figures"].items()
        if figure["errors"]
    ]
    if failed:
        raise SystemExit(f"requests failed during: {', '.join(failed)} (see above)")


# One database ------------------------------------------------------------------------------


def measure(args: argparse.Namespace, var_dir: Path, database_url: str | None) -> dict[str, Any]:
    with ExitStack() as stack:
        # Result day runs as production does at that scale: the pages cache in Redis.
        redis_url = None
        if RESULT_DAY in args.phases:
            redis_folder = var_dir / "redis"
            redis_folder.mkdir()
            redis_url = stack.enter_context(redis_server(redis_folder))
        return measure_with(args, var_dir, database_url, redis_url)


def measure_with(
    args: argparse.Namespace, var_dir: Path, database_url: str | None, redis_url: str | None
) -> dict[str, Any]:
    # whitenoise looks for the static folder before collectstatic has filled it.
    warnings.filterwarnings("ignore", message="No directory at")
    setup_django(str(var_dir), database_url)
    import django
    import load_data
    from django.db import connection

    from admissions.applications.models import Application
    from admissions.payments.models import LedgerEntry

    started = time.monotonic()
    print(f"database: {connection.vendor}, applications: {args.applications}", flush=True)
    migrated = start_from_migrated(args, database_url)
    timed("migrate and load rulebooks", lambda: load_catalogue(migrated=migrated))
    timed("open the demonstration campaigns", load_data.open_demo_campaigns)
    staff = create_staff()
    rng = random.Random(args.seed)
    generated = timed("generate", lambda: timed_seconds(create_applications, args, rng))
    cache_url = f"{redis_url}/1" if redis_url else None
    requests = timed("requests", lambda: requests_of(args, staff, rng, cache_url))
    env = server_env(var_dir, database_url)
    # As production does it, with the server's settings (the hashed names' manifest).
    python = str(args.server_venv / "bin" / "python")
    env["ADMISSIONS_STATIC_ROOT"] = str(
        timed("collect static files", lambda: collected_static(Path(python), env))
    )
    timed("analyse", analyse)
    # The second request of a kind is counted: the first may set up what a process keeps.
    queries = {
        kind: count_queries(items[0], items[1 % len(items)])
        for kind, items in requests.items()
        if kind != RESULT_DAY
    }
    print(f"queries per request: {queries}", flush=True)
    rows = {
        "applications": Application.objects.count(),
        "ledger_entries": LedgerEntry.objects.count(),
    }
    vendor_version = database_version()
    connection.close()

    folder = var_dir / "requests"
    folder.mkdir()
    figures: dict[str, dict[str, Any]] = {}
    profiles: dict[str, str] = {}
    granian = args.server_venv / "bin" / "granian"
    first = [kind for kind in requests if kind != RESULT_DAY]
    with Server(granian, env, var_dir / "granian.log", threads=args.blocking_threads) as server:
        verify(server, requests, first)
        with MemorySampler(server.workers) as memory:
            time.sleep(1)
            at_rest = memory.sample()
            print(f"a worker at rest: {at_rest:.0f} MiB", flush=True)
            for phase, kind, clients in PHASES:
                if phase not in args.phases or phase == RESULT_DAY:
                    continue
                memory.mark(phase)
                figures[phase] = run_phase(
                    args, server, folder, requests, phase, kind, clients, profiles
                )
                peak = memory.peaks.get(phase, 0.0)
                print(f"{phase}: {summary_line(figures[phase])}, worker {peak:.0f} MiB", flush=True)
    peaks, peak = dict(memory.peaks), memory.peak
    result_day: dict[str, Any] = {}
    if cache_url is not None:
        shared_env = {**env, "ADMISSIONS_CACHE_URL": cache_url}
        started_day = dt.datetime.now(PARIS).date()
        result_day = timed(
            "render the result day's pages ahead",
            lambda: render_ahead(args, shared_env, var_dir, cache_url),
        )
        queries[RESULT_DAY] = first_look_queries(requests[RESULT_DAY][1], cache_url)
        print(f"queries of a first look on result day: {queries[RESULT_DAY]}", flush=True)
        connection.close()
        log = var_dir / "granian-result-day.log"
        with Server(granian, shared_env, log, threads=args.blocking_threads) as server:
            verify(server, requests, [RESULT_DAY])
            with MemorySampler(server.workers) as memory:
                memory.mark(RESULT_DAY)
                figures[RESULT_DAY] = run_phase(
                    args, server, folder, requests, RESULT_DAY, RESULT_DAY, 16, profiles
                )
        peaks[RESULT_DAY] = memory.peaks.get(RESULT_DAY, 0.0)
        peak = max(peak, memory.peak)
        # A kept page holds at most until midnight in Paris: a run that crossed it measured
        # pages rendered again after it.
        result_day["crossed_midnight"] = dt.datetime.now(PARIS).date() != started_day
        late = " (midnight passed: pages rendered again)" if result_day["crossed_midnight"] else ""
        line = summary_line(figures[RESULT_DAY])
        print(f"{RESULT_DAY}: {line}, worker {peaks[RESULT_DAY]:.0f} MiB{late}", flush=True)
    return {
        "database": connection.vendor,
        "version": vendor_version,
        "django": django.get_version(),
        "applications": args.applications,
        "rows": rows,
        "generate_seconds": generated,
        "queries": queries,
        "figures": figures,
        "memory": {"rest": at_rest, "peak": peak, "phases": peaks},
        "profiles": profiles,
        "result_day": result_day,
        "seconds": time.monotonic() - started,
    }


def render_ahead(
    args: argparse.Namespace, env: dict[str, str], var_dir: Path, cache_url: str
) -> dict[str, Any]:
    """Work the tasks the publication queued to render the decided files' pages, with as
    many database task workers (`db_worker`, from the server's environment, with the
    server's settings and the shared cache) as the server has workers, until none is left.

    The publication's emails are not sent: their deliveries (each admitted candidate's
    letter is a PDF) are taken off the queue first, and what other figures queued with
    them. They come before the pages in a production queue (`portal.status_ahead`); here
    each page shows two history lines fewer (the emails sent)."""
    import redis
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from admissions.portal.status_ahead import render_ahead as task

    path = task.module_path
    dropped, _ = DBTaskResult.objects.ready().exclude(task_path=path).delete()
    tasks = DBTaskResult.objects.ready().filter(task_path=path).count()
    connection.close()
    python = str(args.server_venv / "bin" / "python")
    command = [python, "-m", "admissions.manage", "db_worker", "--batch", "--no-startup-delay"]
    command += ["--interval", "0.1"]
    log = var_dir / "db_worker.log"
    started = time.monotonic()
    with ExitStack() as stack:
        workers = [
            stack.enter_context(started_process(command, log, env=env)) for _ in range(WORKERS)
        ]
        deadline = started + RENDER_AHEAD_TIMEOUT
        for worker in workers:
            worker.wait(timeout=max(1.0, deadline - time.monotonic()))
    seconds = time.monotonic() - started
    done = DBTaskResult.objects.filter(task_path=path)
    failed = done.exclude(status="SUCCESSFUL").count()
    rendered = sum(value or 0 for value in done.values_list("return_value", flat=True))
    client = redis.Redis.from_url(cache_url)
    try:
        kept = client.dbsize()
    finally:
        client.close()
    connection.close()
    if failed:
        tail = log.read_text(errors="replace")[-4000:]
        raise RuntimeError(f"{failed} of {tasks} rendering tasks failed:\n{tail}")
    print(
        f"{rendered} pages rendered ahead by {tasks} tasks on {WORKERS} workers in "
        f"{seconds:.1f} s ({dropped} other tasks taken off the queue); {kept} keys in Redis",
        flush=True,
    )
    return {"tasks": tasks, "pages": rendered, "seconds": seconds, "workers": WORKERS}


def first_look_queries(request: Any, cache_url: str) -> int:
    """A candidate's first look on result day, in this process with the result day's server
    settings (the pages cache in Redis; the sessions in the database, as everywhere)."""
    from django.conf import settings
    from django.test.utils import override_settings

    redis = settings.REDIS_CACHE
    shared = {
        "default": {"BACKEND": redis, "LOCATION": cache_url},
        "pages": {"BACKEND": redis, "LOCATION": cache_url, "KEY_PREFIX": "pages"},
    }
    with override_settings(CACHES={**settings.CACHES, **shared}):
        return send(request)


def timed_seconds(action: Any, args: argparse.Namespace, rng: random.Random) -> float:
    started = time.monotonic()
    action(args.applications, rng)
    return time.monotonic() - started


def requests_of(
    args: argparse.Namespace, staff: dict[str, Any], rng: random.Random, cache_url: str | None
) -> dict[str, list[Any]]:
    """Every kind of request, each as the list of lines its wrk runs cycle through."""
    import load_data
    from django.urls import reverse

    officer = load_data.sessions_for([staff["admissions_officer"].pk])
    session = officer[staff["admissions_officer"].pk]
    home = reverse("office:home")
    seconds = args.warm_up + args.runs * args.duration
    # Three more: two for the in-process query count, one for the check through the server.
    drafts = load_data.drafts(round(seconds * MAX_DRAFT_RATE) + 3)
    kinds = {
        "bare": [load_data.Request("GET", "/bench/bare")],
        "eligibility": load_data.eligibility_checks(),
        "status": load_data.status_pages(rng),
        "staff-first": [load_data.Request("GET", home, session)],
        "staff-last": [load_data.Request("GET", last_page(home, session), session)],
        "drafts": drafts,
    }
    if cache_url is not None:
        kinds[RESULT_DAY] = load_data.decision_pages(args.result_day_candidates, rng, cache_url)
    return kinds


def last_page(home: str, session: str) -> str:
    """The list's last page, as its "Oldest" link gives it."""
    import load_data
    from django.test import Client

    client = Client()
    client.cookies[load_data.SESSION_COOKIE] = session
    page = client.get(home).content.decode()
    link = re.search(r'href="(\?[^"]*)" rel="last"', page)
    if link is None:
        raise RuntimeError(f"no link to the last page on {home}")
    return home + link[1].replace("&amp;", "&")


def count_queries(warm_up: Any, request: Any) -> int | None:
    """Queries of `request` after `warm_up`, through Django's test client in this process."""
    if request.path.startswith("/bench/"):
        return None
    send(warm_up)
    return send(request)


def send(request: Any) -> int:
    import load_data
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {request.bearer}"} if request.bearer else {})
    if request.session:
        client.cookies[load_data.SESSION_COOKIE] = request.session
    with CaptureQueriesContext(connection) as captured:
        if request.method == "GET":
            response = client.get(request.path)
        else:
            response = client.post(request.path, request.body, content_type="application/json")
    assert response.status_code in (200, 201), f"{request.path}: {response.status_code}"
    return len(captured.captured_queries)


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


def server_env(var_dir: Path, database_url: str | None) -> dict[str, str]:
    """The server's whole configuration: only the variables set here, nothing inherited."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ADMISSIONS_")}
    env.update(
        {
            "ADMISSIONS_VAR_DIR": str(var_dir),
            "ADMISSIONS_DEBUG": "false",
            "ADMISSIONS_ALLOWED_HOSTS": "127.0.0.1",
            "ADMISSIONS_LOG_LEVEL": "warning",
            # The load comes from one address and one user: the API's rate limit would
            # measure itself, not the server.
            "ADMISSIONS_API_RATE_PER_MINUTE": "0",
            "DJANGO_SETTINGS_MODULE": "admissions.settings",
        }
    )
    if database_url:
        env["ADMISSIONS_DATABASE_URL"] = database_url
    return env


def verify(server: Server, requests: dict[str, list[Any]], kinds: list[str]) -> None:
    """One request of each of `kinds` through the server; a wrong answer stops the bench
    here."""
    for kind in kinds:
        items = requests[kind]
        request = items[-1] if kind == "drafts" else items[0]
        headers = {}
        if request.session:
            headers["Cookie"] = request.line().split("\t")[2]
            headers["X-CSRFToken"] = request.line().split("\t")[3]
        if request.body:
            headers["Content-Type"] = "application/json"
        if request.bearer:
            headers["Authorization"] = f"Bearer {request.bearer}"
        status, body = server.get(
            request.path,
            method=request.method,
            headers=headers,
            data=request.body.encode() if request.body else None,
        )
        if status != EXPECTED.get(kind, 200):
            raise RuntimeError(
                f"{kind}: {request.method} {request.path} answered {status}:\n"
                f"{body[:2000]!r}\n{server.log.read_text()[-3000:]}"
            )
    if "drafts" in kinds:
        # The checked draft and the counted ones are used; the runs take the others.
        requests["drafts"] = requests["drafts"][2:-1]


def run_phase(
    args: argparse.Namespace,
    server: Server,
    folder: Path,
    requests: dict[str, list[Any]],
    phase: str,
    kind: str,
    clients: int,
    profiles: dict[str, str],
) -> dict[str, Any]:
    import load_data

    def requests_file(seconds: float, label: str) -> Path:
        items = requests[kind]
        if kind == "drafts":
            # Each run takes drafts no run has taken: a second one would be refused.
            count = round(seconds * MAX_DRAFT_RATE)
            items, requests[kind] = items[:count], items[count:]
        return load_data.write_requests(folder / f"{phase}-{label}.txt", items)

    # wrk runs a second at least: --warm-up 0 (the tests' runs, whose figures mean nothing)
    # runs none.
    if args.warm_up > 0:
        run_wrk(
            server.url,
            requests_file(args.warm_up, "warm-up"),
            clients=clients,
            seconds=args.warm_up,
        )
    runs = []
    for number in range(args.runs):
        spy = None
        raw = folder / f"{phase}.profile"
        if phase in args.profile and number == 0:
            spy = profile(server.workers[0], args.duration, raw)
        runs.append(
            run_wrk(
                server.url,
                requests_file(args.duration, str(number)),
                clients=clients,
                seconds=args.duration,
            )
        )
        if spy is not None:
            _, error = spy.communicate(timeout=60)
            profiles[phase] = profile_summary(raw) if raw.exists() else error.decode()
            if raw.exists() and args.profiles_dir:
                args.profiles_dir.mkdir(parents=True, exist_ok=True)
                target = args.profiles_dir / f"{connection_vendor()}-{phase}.txt"
                target.write_bytes(raw.read_bytes())
    result: dict[str, Any] = {"clients": clients, "runs": [run.as_dict() for run in runs]}
    for name in ("rate", "p50", "p95", "p99"):
        result[name] = statistics.median(getattr(run, name) for run in runs)
    result["errors"] = sum(run.errors for run in runs)
    if kind == "drafts":
        # A draft sent twice is refused: a run that wrapped round its lines made errors.
        result["errors"] += sum(run.wraps for run in runs)
    if result["errors"]:
        details = "; ".join(run.detail for run in runs if run.detail)
        print(f"{phase}: errors ({details}); the server's log ends with:", flush=True)
        print(server.log.read_text(errors="replace")[-4000:], flush=True)
    return result


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def summary_line(figure: dict[str, Any]) -> str:
    line = (
        f"{figure['rate']:.0f} req/s, p50 {figure['p50']:.1f} ms, p95 {figure['p95']:.1f} ms, "
        f"p99 {figure['p99']:.1f} ms"
    )
    if figure["errors"]:
        line += f", {figure['errors']} ERRORS"
    return line


# Results ------------------------------------------------------------------------------------


def write_results(args: argparse.Namespace, results: dict[str, Any], elapsed: float) -> None:
    section = render(args, results, elapsed)
    write_section(args.results, section, begin=BEGIN, end=END)


def commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return done.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kb = 0
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}), "
        f"{memory_kb / 1024**2:.0f} GB of memory, Python {platform.python_version()}"
    )


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "-"


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def result_day_setting(results: dict[str, Any]) -> str:
    """What the result day figure measures, unlike the others."""
    done = "; ".join(
        f"{result['version'].split()[0]}: {result['result_day']['pages']:,} pages by "
        f"{plural(result['result_day']['tasks'], 'task')} in "
        f"{result['result_day']['seconds']:.0f} s"
        + (
            ", **midnight in Paris passed during the figure**: pages rendered again after it"
            if result["result_day"].get("crossed_midnight")
            else ""
        )
        for result in results.values()
        if result.get("result_day")
    )
    return (
        "Result day is measured as production runs at that scale, on a second server with the "
        "same settings plus `ADMISSIONS_CACHE_URL` (a redis-server on 127.0.0.1 started by the "
        "bench): the pages cache in Redis, the sessions in the database as on every server. "
        "The decisions are "
        "published by the jury's publication, whose tasks render each decided file's status "
        f"page ahead, worked by {WORKERS} `db_worker` processes before the load ({done}; the "
        "publication's emails are not sent). Every other figure is measured without Redis, "
        "each worker keeping its own pages."
    )


def render(args: argparse.Namespace, results: dict[str, Any], elapsed: float) -> str:
    names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    dbs = list(results)
    first = next(iter(results.values()))
    header = "| figure | " + " | ".join(results[db]["version"] for db in dbs) + " | target |"
    lines = [
        BEGIN,
        "## Serving under load (`load.py`)",
        "",
        f"Written by `make bench` on {dt.datetime.now(dt.UTC):%Y-%m-%d} at commit `{commit()}`, "
        f"on {machine()}, Django {first['django']}. {args.applications:,} applications; each "
        f"figure is the median of {args.runs} run(s) of {args.duration:g} s with wrk, after "
        f"{args.warm_up:g} s of warm-up; granian with 2 WSGI workers, DEBUG off. The whole run "
        f"took {elapsed / 60:.1f} min. What each figure requests: [README.md](README.md).",
        "",
        result_day_setting(results),
        "",
        header,
        "|---|" + "---|" * len(dbs) + "---|",
    ]

    def row(label: str, cell: Any, target: str) -> None:
        lines.append(
            f"| {label} | " + " | ".join(cell(results[db]) for db in dbs) + f" | {target} |"
        )

    def fig(result: dict[str, Any], phase: str) -> dict[str, Any]:
        return result["figures"][phase]  # type: ignore[no-any-return]

    row(
        "bare view, 1 / 8 / 16 clients",
        lambda r: (
            " / ".join(f"{fig(r, p)['rate']:,.0f}" for p in ("bare-1", "bare-8", "bare-16"))
            + " req/s"
        ),
        "(the limit)",
    )

    def share(r: dict[str, Any], phase: str, bare: str) -> float:
        return fig(r, phase)["rate"] / fig(r, bare)["rate"] if fig(r, bare)["rate"] else 0.0

    row(
        "public eligibility check API, 8 clients",
        lambda r: (
            f"{fig(r, 'eligibility')['rate']:,.0f} req/s "
            f"({pct(fig(r, 'eligibility')['rate'], fig(r, 'bare-8')['rate'])} of bare), "
            + met(share(r, "eligibility", "bare-8") >= 0.4)
        ),
        "≥ 40 % of bare",
    )
    row(
        "a candidate's status page, 16 clients",
        lambda r: (
            f"{fig(r, 'status')['rate']:,.0f} req/s "
            f"({pct(fig(r, 'status')['rate'], fig(r, 'bare-16')['rate'])}), "
            f"p50 {fig(r, 'status')['p50']:.1f} ms, p95 {fig(r, 'status')['p95']:.1f} ms, "
            + met(share(r, "status", "bare-16") >= 0.4 and fig(r, "status")["p95"] < 50)
        ),
        "≥ 40 %, p95 < 50 ms",
    )
    row(
        "staff list, first page, 1 client",
        lambda r: (
            f"p50 {fig(r, 'staff-first')['p50']:.1f} ms, "
            f"p95 {fig(r, 'staff-first')['p95']:.1f} ms, "
            + met(fig(r, "staff-first")["p50"] < 5 and fig(r, "staff-first")["p95"] < 20)
        ),
        "p50 < 5 ms, p95 < 20 ms",
    )
    row(
        "staff list, last page, 1 client",
        lambda r: (
            f"p50 {fig(r, 'staff-last')['p50']:.1f} ms, "
            f"p95 {fig(r, 'staff-last')['p95']:.1f} ms, "
            + met(fig(r, "staff-last")["p50"] < 5 and fig(r, "staff-last")["p95"] < 20)
        ),
        "the same as the first page",
    )
    row(
        "creating an application draft through the API, 8 clients",
        lambda r: (
            f"{fig(r, 'drafts')['rate']:,.0f} req/s, p99 {fig(r, 'drafts')['p99']:.1f} ms, "
            + met(fig(r, "drafts")["rate"] >= 450 and fig(r, "drafts")["p99"] < 100)
        ),
        "≥ 450 req/s, p99 < 100 ms",
    )
    row(
        f"result day: {args.result_day_candidates:,} candidates' decision pages, 16 clients",
        lambda r: (
            f"{fig(r, 'result-day')['rate']:,.0f} req/s "
            f"({pct(fig(r, 'result-day')['rate'], fig(r, 'bare-16')['rate'])}), "
            f"p95 {fig(r, 'result-day')['p95']:.1f} ms, "
            + met(share(r, "result-day", "bare-16") >= 0.3)
        ),
        "≥ 30 % of bare",
    )
    row(
        "peak memory of one web worker",
        lambda r: (
            f"{r['memory']['peak']:.0f} MiB ({r['memory']['rest']:.0f} MiB at rest), "
            + met(r["memory"]["peak"] <= 85)
        ),
        "≤ 85 MiB",
    )
    for db in dbs:
        result = results[db]
        rows = result["rows"]
        lines += [
            "",
            f"### {names[db]}: every figure",
            "",
            f"{rows['applications']:,} applications before the draft runs, "
            f"{rows['ledger_entries']:,} ledger entries; generated in "
            f"{result['generate_seconds']:.0f} s; this database took "
            f"{result['seconds'] / 60:.1f} min.",
            "",
            "| figure | clients | req/s | p50 ms | p95 ms | p99 ms | queries | errors | "
            "worker peak MiB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for phase, kind, clients in PHASES:
            f = result["figures"][phase]
            count = result["queries"].get(kind)
            lines.append(
                f"| {phase} | {clients} | {f['rate']:,.0f} | {f['p50']:.1f} | {f['p95']:.1f} | "
                f"{f['p99']:.1f} | {'-' if count is None else count} | "
                f"{f['errors']} | {result['memory']['phases'].get(phase, 0):.0f} |"
            )
        for phase, text in result["profiles"].items():
            lines += ["", f"py-spy on one worker during `{phase}`:", "", "```", text, "```"]
    lines.append(END)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
