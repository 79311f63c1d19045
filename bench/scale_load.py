"""The served figures at a million applications on PostgreSQL (`make bench-scale`).

Usage (from the repository root):

    .venv/bin/python bench/scale_load.py                       # 1,000,000 applications
    .venv/bin/python bench/scale_load.py --applications 5000 --duration 2 --runs 1

A throw-away PostgreSQL cluster on 127.0.0.1 is filled by `scale_data.generate` (files over
two institutions, 60 programmes and two campaigns, with their history, fees and documents),
then the server is started as `load.py` starts it (granian, two WSGI workers, DEBUG off,
from the production environment) and wrk drives each figure on 127.0.0.1:

- the bare view (the limit of the stack on this machine);
- a candidate's status page, 16 clients;
- the admissions officer's queue page with two filters and a sort, 1 and 8 clients;
- the same queue through the API with a staff token (`GET /api/v1/staff/files`), 8 clients;
- draft creation through the API, 8 clients;

and the workers' memory throughout. The tables are vacuumed and analysed once generated
(`settle`), so that no figure runs beside autovacuum's first pass over them. The figures go
to bench/RESULTS.md between the markers of its "At a million applications" section, beside
the peer's (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import load_data
import scale_data
from load import (
    commit,
    count_queries,
    database_version,
    machine,
    met,
    pct,
    run_phase,
    server_env,
    summary_line,
    verify,
)
from load_server import MemorySampler, Server, collected_static, stop_on_term
from results_file import write_section
from staff_lists import (
    ROOT,
    create_staff,
    postgres_database,
    setup_django,
    staff_token,
    timed,
)

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN = "<!-- scale_load.py: begin -->"
END = "<!-- scale_load.py: end -->"
# (figure, kind of request, clients), in the order they run.
PHASES = [
    ("bare-8", "bare", 8),
    ("bare-16", "bare", 16),
    ("status", "status", 16),
    ("queue", "queue", 1),
    ("queue-8", "queue", 8),
    ("api-queue", "api-queue", 8),
    ("drafts", "drafts", 8),
]
# Two filters and a sort, as the peer was measured: EU nationals on work-study,
# the longest waiting first (the page) or the newest submitted first (the API's order).
QUEUE_FILTERS = "nationality=eu&track=work_study"
# The peer (Frappe Education v15, gunicorn with 5 workers, MariaDB, same kind of machine).
PEER_CREATIONS_PER_SECOND = 45
PEER_LIST_P50_MS = 100
PEER_LIST_RATE = 80
PEER_WORKER_MIB = 85
# Drafts are created by distinct candidates; the pool is sized for this rate at most.
MAX_DRAFT_RATE = 2000
CHILD_TIMEOUT = 90 * 60


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median)")
    parser.add_argument(
        "--warm-up", type=float, default=2.0, help="seconds before each figure (0: none)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--blocking-threads", type=int, default=2)
    parser.add_argument(
        "--server-venv",
        type=Path,
        default=Path(sys.prefix),
        help="the virtual environment the server runs from (default: this one)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--migrated-postgres",
        help="the URL of a migrated PostgreSQL database: the run creates its own from it "
        "(CREATE DATABASE ... TEMPLATE) on that server instead of migrating one on a "
        "throw-away cluster",
    )
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # What `load.run_phase` reads besides the above.
    args.profile, args.profiles_dir = [], None
    return args


def main() -> None:
    args = parse_args()
    stop_on_term()
    if args.output:
        with (
            tempfile.TemporaryDirectory(prefix="admissions-scale-") as var_dir,
            postgres_database(args.migrated_postgres) as url,
        ):
            result = measure(args, Path(var_dir), url)
        args.output.write_text(json.dumps(result), encoding="utf-8")
        return
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="admissions-scale-out-") as folder:
        output = Path(folder) / "postgres.json"
        # A process of its own: Django is set up once per database and process.
        command = [sys.executable, __file__, *sys.argv[1:], "--output", str(output)]
        subprocess.run(command, check=True, timeout=CHILD_TIMEOUT)
        result = json.loads(output.read_text(encoding="utf-8"))
    elapsed = time.monotonic() - started
    write_results(args, result, elapsed)
    print(f"\nwhole run: {elapsed / 60:.1f} min; results written to {args.results}")
    failed = [phase for phase, figure in result["figures"].items() if figure["errors"]]
    if failed:
        raise SystemExit(f"requests failed during: {', '.join(failed)} (see above)")


def measure(args: argparse.Namespace, var_dir: Path, database_url: str) -> dict[str, Any]:
    # whitenoise looks for the static folder before collectstatic has filled it.
    warnings.filterwarnings("ignore", message="No directory at")
    setup_django(str(var_dir), database_url)
    import django
    from django.db import connection

    from admissions.applications.models import Application

    started = time.monotonic()
    print(f"database: {connection.vendor}, applications: {args.applications}", flush=True)
    if args.migrated_postgres is None:
        timed("migrate and load rulebooks", scale_data.catalogue)
    else:
        timed("load rulebooks", scale_data.load_rulebooks)
    staff = create_staff()
    rng = random.Random(args.seed)
    generated = scale_data.generate(
        args.applications, rng, progress=lambda line: print(line, flush=True)
    )
    print(f"generated in {generated.seconds:.1f} s: {dict(generated.rows)}", flush=True)
    timed("open the campaigns", load_data.open_demo_campaigns)
    requests = timed("requests", lambda: requests_of(args, staff, rng))
    env = server_env(var_dir, database_url)
    python = args.server_venv / "bin" / "python"
    env["ADMISSIONS_STATIC_ROOT"] = str(
        timed("collect static files", lambda: collected_static(python, env))
    )
    timed("vacuum and analyse", settle)
    queries = {
        kind: count_queries(items[0], items[1 % len(items)]) for kind, items in requests.items()
    }
    print(f"queries per request: {queries}", flush=True)
    applications = Application.objects.count()
    vendor_version = database_version()
    connection.close()

    folder = var_dir / "requests"
    folder.mkdir()
    figures: dict[str, dict[str, Any]] = {}
    granian = args.server_venv / "bin" / "granian"
    with Server(granian, env, var_dir / "granian.log", threads=args.blocking_threads) as server:
        verify(server, requests, list(requests))
        with MemorySampler(server.workers) as memory:
            time.sleep(1)
            at_rest = memory.sample()
            print(f"a worker at rest: {at_rest:.0f} MiB", flush=True)
            for phase, kind, clients in PHASES:
                memory.mark(phase)
                figures[phase] = run_phase(args, server, folder, requests, phase, kind, clients, {})
                peak = memory.peaks.get(phase, 0.0)
                print(f"{phase}: {summary_line(figures[phase])}, worker {peak:.0f} MiB", flush=True)
    return {
        "version": vendor_version,
        "django": django.get_version(),
        "applications": applications,
        "rows": sum(generated.rows.values()),
        "generate_seconds": generated.seconds,
        "queries": queries,
        "figures": figures,
        "memory": {"rest": at_rest, "peak": memory.peak, "phases": dict(memory.peaks)},
        "seconds": time.monotonic() - started,
    }


def settle() -> None:
    """Every table vacuumed and analysed before the figures. Rows written by COPY are new to
    autovacuum: left to it, it works through the fresh tables (a million files': about
    three minutes on two cores) while the first figures run, which a database that grew over
    years never makes its pages wait for; and until then no page is marked all-visible, so
    the index-only scans read the table as well."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def requests_of(
    args: argparse.Namespace, staff: dict[str, Any], rng: random.Random
) -> dict[str, list[load_data.Request]]:
    """Every kind of request, each as the list of lines its wrk runs cycle through."""
    from django.urls import reverse

    officer = staff["admissions_officer"]
    session = load_data.sessions_for([officer.pk])[officer.pk]
    queue = f"{reverse('office:queue')}?{QUEUE_FILTERS}&sort=waiting"
    api_queue = f"{reverse('api:staff_files')}?{QUEUE_FILTERS}"
    seconds = args.warm_up + args.runs * args.duration * 2
    return {
        "bare": [load_data.Request("GET", "/bench/bare")],
        "status": load_data.status_pages(rng),
        "queue": [load_data.Request("GET", queue, session)],
        "api-queue": [load_data.Request("GET", api_queue, bearer=staff_token(officer))],
        # Three more: two for the query count, one for the check through the server.
        "drafts": load_data.drafts(round(seconds * MAX_DRAFT_RATE) + 3),
    }


# Results ------------------------------------------------------------------------------------


def write_results(args: argparse.Namespace, result: dict[str, Any], elapsed: float) -> None:
    section = render(args, result, elapsed)
    write_section(args.results, section, begin=BEGIN, end=END)


def render(args: argparse.Namespace, result: dict[str, Any], elapsed: float) -> str:
    figures, queries = result["figures"], result["queries"]

    def fig(phase: str) -> dict[str, Any]:
        return figures[phase]  # type: ignore[no-any-return]

    status, queue, queue_8 = fig("status"), fig("queue"), fig("queue-8")
    api, drafts = fig("api-queue"), fig("drafts")
    bare_16 = fig("bare-16")["rate"]
    peak = result["memory"]["peak"]
    lines = [
        BEGIN,
        "## At a million applications (`scale_load.py`)",
        "",
        f"Written by `make bench-scale` on {dt.datetime.now(dt.UTC):%Y-%m-%d} at commit "
        f"`{commit()}`, on {machine()}, Django {result['django']}, {result['version']}. "
        f"{result['applications']:,} applications ({result['rows']:,} rows generated by "
        f"`scale_data.generate` in {result['generate_seconds']:.0f} s); each figure is the "
        f"median of {args.runs} run(s) of {args.duration:g} s with wrk, after "
        f"{args.warm_up:g} s of warm-up; granian with 2 WSGI workers, DEBUG off, no Redis. "
        f"The whole run took {elapsed / 60:.1f} min. The peer is Frappe Education v15 "
        "(gunicorn, 5 workers, MariaDB) measured on the same kind of machine at 100,000 "
        "applicants.",
        "",
        "| figure | ours | peer | target |",
        "|---|---|---|---|",
        f"| bare view, 8 / 16 clients | {fig('bare-8')['rate']:,.0f} / {bare_16:,.0f} req/s "
        "| | (the limit) |",
        f"| a candidate's status page, 16 clients | {status['rate']:,.0f} req/s "
        f"({pct(status['rate'], bare_16)} of bare), p95 {status['p95']:.1f} ms, "
        + met(status["rate"] >= 0.4 * bare_16 and status["p95"] < 50)
        + " | | ≥ 40 % of bare, p95 < 50 ms |",
        f"| staff queue page, two filters and a sort, 1 client | p50 {queue['p50']:.1f} ms, "
        f"p95 {queue['p95']:.1f} ms, {queries['queue']} queries, "
        + met(queue["p95"] < 100)
        + " | | p95 < 100 ms, queries constant |",
        f"| the same page, 8 clients | {queue_8['rate']:,.0f} req/s, p50 {queue_8['p50']:.1f} "
        f"ms, p95 {queue_8['p95']:.1f} ms | {PEER_LIST_RATE} req/s, p50 about "
        f"{PEER_LIST_P50_MS} ms | |",
        f"| staff queue through the API (token), 8 clients | {api['rate']:,.0f} req/s, p50 "
        f"{api['p50']:.1f} ms, p95 {api['p95']:.1f} ms, {queries['api-queue']} queries, "
        + met(api["p50"] <= PEER_LIST_P50_MS / 10)
        + f" | {PEER_LIST_RATE} req/s, p50 about {PEER_LIST_P50_MS} ms | a tenth of the "
        f"peer's latency (p50 ≤ {PEER_LIST_P50_MS / 10:.0f} ms) |",
        f"| creating an application draft through the API, 8 clients | {drafts['rate']:,.0f} "
        f"req/s, p50 {drafts['p50']:.1f} ms, p99 {drafts['p99']:.1f} ms, "
        + met(drafts["rate"] >= 10 * PEER_CREATIONS_PER_SECOND)
        + f" | {PEER_CREATIONS_PER_SECOND} req/s, p50 178 ms | ten times the peer "
        f"(≥ {10 * PEER_CREATIONS_PER_SECOND} req/s) |",
        f"| peak memory of one web worker | {peak:.0f} MiB "
        f"({result['memory']['rest']:.0f} MiB at rest), "
        + met(peak <= PEER_WORKER_MIB)
        + f" | {PEER_WORKER_MIB} MiB | no more than the peer |",
        "",
        "| figure | clients | req/s | p50 ms | p95 ms | p99 ms | queries | errors | "
        "worker peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for phase, kind, clients in PHASES:
        f = figures[phase]
        count = queries.get(kind)
        lines.append(
            f"| {phase} | {clients} | {f['rate']:,.0f} | {f['p50']:.1f} | {f['p95']:.1f} | "
            f"{f['p99']:.1f} | {'-' if count is None else count} | {f['errors']} | "
            f"{result['memory']['phases'].get(phase, 0):.0f} |"
        )
    spread = {
        phase: ", ".join(f"{run['rate']:,.0f}" for run in figures[phase]["runs"])
        for phase, _, _ in PHASES
    }
    lines += [
        "",
        "Each run's rate, req/s: "
        + "; ".join(f"{phase} {rates}" for phase, rates in spread.items())
        + ".",
        END,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
