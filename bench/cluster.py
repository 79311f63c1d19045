"""The production layout on one machine, under load, with an application process killed.

Usage (from the repository root):

    make bench-cluster
    .venv/bin/python bench/cluster.py --clients 4 --seconds 3 --results /tmp/RESULTS.md

Starts on 127.0.0.1 and free ports the layout of docs/production.md: a throw-away
PostgreSQL cluster, Redis (tasks, cache and sessions), an S3 endpoint (moto's server),
clamd, an SMTP sink, two application processes (granian, ADMISSIONS_MODE=production),
nginx in front of them with deploy/nginx.conf over TLS, two RQ task workers and the
scheduler. It migrates, loads the data, drives the load through nginx, kills one
application process with SIGKILL during the load, then checks from nginx's logs and the
data that nothing was lost beyond the requests in flight on the killed process. Writes its
figures between the cluster.py markers of bench/RESULTS.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import cluster_checks
import cluster_load
from cluster_services import (
    LOOPBACK,
    AppProcess,
    Nginx,
    certificate,
    clamd,
    redis_server,
    s3_endpoint,
    scheduler,
    smtp_sink,
    task_worker,
)
from load import commit, machine
from load_server import collected_static, compiled_sources, stop_on_term
from results_file import write_section
from staff_lists import ROOT, throwaway_postgres, timed

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN = "<!-- cluster.py: begin -->"
END = "<!-- cluster.py: end -->"
APPS = 2
WORKERS = 2
BUCKET = "admissions-bench"
REGION = "eu-west-3"
# Seconds the task workers are given, after the load, to send what it queued.
DRAIN_SECONDS = 180.0
# The whole run is stopped past this, whatever it is doing.
RUN_TIMEOUT = 40 * 60


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of load")
    parser.add_argument(
        "--kill-at",
        type=float,
        default=0.4,
        help="share of the load's duration after which one application process is killed",
    )
    parser.add_argument(
        "--load",
        choices=("deadline", "drafts"),
        default="deadline",
        help="deadline: deadline.py's uploads and submissions; drafts: status pages and "
        "drafts created through the API",
    )
    parser.add_argument(
        "--applications",
        type=int,
        default=1000,
        help="with --load drafts: generated files, whose candidates' status pages are requested",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--server-venv",
        type=Path,
        default=Path(sys.prefix),
        help="the environment the application, workers and scheduler run from",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, help="copy the logs (nginx, granian, workers) here")
    args = parser.parse_args()
    if not 0 < args.kill_at < 1:
        parser.error("--kill-at is a share of the load's duration, between 0 and 1")
    if args.clients < 1 or args.seconds < 1:
        parser.error("--clients and --seconds must be at least 1")
    return args


def cluster_env(
    var_dir: Path,
    database_url: str,
    redis_url: str,
    storage: dict[str, str],
    clamd_address: str,
    smtp_url: str,
    site_url: str,
) -> dict[str, str]:
    """What every process of the site reads: production mode, nothing inherited."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ADMISSIONS_")}
    env.update(
        {
            "ADMISSIONS_MODE": "production",
            "ADMISSIONS_DEBUG": "false",
            "ADMISSIONS_SECRET_KEY": secrets.token_urlsafe(48),
            "ADMISSIONS_ALLOWED_HOSTS": LOOPBACK,
            "ADMISSIONS_SITE_URL": site_url,
            "ADMISSIONS_CSRF_TRUSTED_ORIGINS": site_url,
            "ADMISSIONS_TRUSTED_PROXIES": LOOPBACK,
            "ADMISSIONS_VAR_DIR": str(var_dir),
            "ADMISSIONS_DATABASE_URL": database_url,
            "ADMISSIONS_TASKS": "rq",
            "ADMISSIONS_REDIS_URL": f"{redis_url}/0",
            "ADMISSIONS_CACHE_URL": f"{redis_url}/1",
            "ADMISSIONS_CLAMD": clamd_address,
            "ADMISSIONS_EMAIL_URL": smtp_url,
            # The scheduler is a process of its own.
            "ADMISSIONS_PERIODIC_MINUTES": "0",
            "ADMISSIONS_LOG_LEVEL": "warning",
            # The load comes from one address: per-address limits would measure themselves.
            "ADMISSIONS_API_RATE_PER_MINUTE": "0",
            "ADMISSIONS_UPLOADS_PER_HOUR": "0",
            "DJANGO_SETTINGS_MODULE": "admissions.settings",
            **storage,
        }
    )
    return env


def main() -> None:
    args = parse_args()
    stop_on_term(timeout=RUN_TIMEOUT)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="admissions-cluster-") as folder, ExitStack() as stack:
        root = Path(folder)
        logs = root / "logs"
        logs.mkdir()
        (root / "var").mkdir()
        if args.keep:
            stack.callback(keep_logs, root, args.keep)
        database_url = stack.enter_context(throwaway_postgres())
        redis_url = stack.enter_context(redis_server(root))
        storage = stack.enter_context(s3_endpoint(BUCKET, REGION))
        clamd_address = stack.enter_context(clamd(root))
        smtp = stack.enter_context(smtp_sink())
        cert, key = certificate(root)
        # nginx's ports are chosen first: the site's address is part of the settings.
        nginx_folder = root / "nginx"
        apps = [AppProcess(args.server_venv, {}, logs / f"app-{n}.log") for n in range(APPS)]
        nginx = Nginx(nginx_folder, [app.address for app in apps], cert, key)
        env = cluster_env(
            root / "var", database_url, redis_url, storage, clamd_address, smtp.url, nginx.url
        )
        # This process prepares the data with the cluster's settings, not with whatever
        # settings the caller's environment held.
        for key in [key for key in os.environ if key.startswith("ADMISSIONS_")]:
            del os.environ[key]
        os.environ.update(env)
        load = cluster_load.for_run(args, root)
        print(f"load: {load.name}", flush=True)
        python = args.server_venv / "bin" / "python"
        env["ADMISSIONS_STATIC_ROOT"] = str(
            timed("static files", lambda: collected_static(python, env))
        )
        timed("migrate and prepare the data", lambda: load.prepare(random.Random(args.seed)))
        compiled_sources(python)
        close_database()
        for app in apps:
            app.env = env
            stack.enter_context(app)
        stack.enter_context(nginx)
        for number in range(WORKERS):
            stack.enter_context(task_worker(args.server_venv, env, logs / f"worker-{number}.log"))
        stack.enter_context(scheduler(args.server_venv, env, logs / "scheduler.log", 0.25))
        load.check_through(nginx)
        print(
            f"layout up: nginx {nginx.url}, apps {', '.join(a.address for a in apps)}",
            flush=True,
        )
        killed = apps[0]
        kill = Kill(killed, args.seconds * args.kill_at)
        load_average = os.getloadavg()[0]
        load_started, load_epoch = time.monotonic(), time.time()
        with kill:
            outcome = load.drive(nginx.url, args.clients, args.seconds, root / "load")
        load_seconds = time.monotonic() - load_started
        print(f"load done: {outcome.summary()}", flush=True)
        drained = timed(
            "drain the task queue", lambda: cluster_checks.drain(redis_url, DRAIN_SECONDS)
        )
        report = cluster_checks.check(
            access_log=nginx.access_log,
            error_log=nginx.error_log,
            killed=killed.address,
            survivor=apps[1].address,
            killed_at=kill.at,
            load_started=load_epoch,
            load_seconds=load_seconds,
            outcome=outcome,
            load=load,
            drained=drained,
            smtp=smtp,
            redis_url=redis_url,
        )
    report["load_average"] = load_average
    elapsed = time.monotonic() - started
    write_results_section(args, report, outcome, load.name, elapsed)
    print(render(args, report, outcome, load.name, elapsed))
    print(f"\nwhole run: {elapsed / 60:.1f} min; results written to {args.results}")
    if report["failures"]:
        raise SystemExit("checks failed:\n- " + "\n- ".join(report["failures"]))


class Kill:
    """SIGKILL to one application process `after` seconds into the load, from a thread."""

    def __init__(self, app: AppProcess, after: float) -> None:
        self.app, self.after = app, after
        self.at: float | None = None
        self._cancel = threading.Event()

    def _run(self) -> None:
        if not self._cancel.wait(self.after):
            self.at = time.time()
            self.app.kill()
            print(f"killed the application process on {self.app.address}", flush=True)

    def __enter__(self) -> Kill:
        self._thread = threading.Thread(target=self._run, name="kill", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._cancel.set()
        self._thread.join(timeout=30)


def close_database() -> None:
    from django.db import connections

    connections.close_all()


def keep_logs(root: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in [*(root / "logs").glob("*.log"), *(root / "nginx").glob("*.log")]:
        (target / f"{path.parent.name}-{path.name}").write_bytes(path.read_bytes())


# Results ------------------------------------------------------------------------------------


def write_results_section(
    args: argparse.Namespace, report: dict[str, Any], outcome: Any, name: str, elapsed: float
) -> None:
    section = render(args, report, outcome, name, elapsed)
    write_section(args.results, section, begin=BEGIN, end=END)


def render(
    args: argparse.Namespace, report: dict[str, Any], outcome: Any, name: str, elapsed: float
) -> str:
    f = report["figures"]
    lines = [
        BEGIN,
        "## The production layout under load, one application process killed (`cluster.py`)",
        "",
        f"Written by `make bench-cluster` on {dt.datetime.now(dt.UTC):%Y-%m-%d} at commit "
        f"`{commit()}`, on {machine()}. Layout of [docs/production.md](../docs/production.md) "
        f"on loopback: nginx (deploy/nginx.conf, TLS) in front of {APPS} granian processes "
        f"(2 workers of 2 threads each, ADMISSIONS_MODE=production), PostgreSQL, Redis (tasks, "
        f"cache, sessions), S3 (moto's server), clamd, {WORKERS} RQ workers, the scheduler. "
        f"Load: {name}, {args.clients} clients for {args.seconds:g} s through nginx; the "
        f"process on {report['killed']} killed (SIGKILL) {args.seconds * args.kill_at:.1f} s "
        f"in. The whole run took {elapsed / 60:.1f} min; the machine's load average was "
        f"{report['load_average']:.1f} when the load began (other work shares its cores).",
        "",
        "| figure | value |",
        "|---|---|",
        f"| requests answered | {f['answered']:,} ({f['rate']:,.0f} req/s over "
        f"{f['load_seconds']:.1f} s) |",
        f"| latency through nginx | p50 {f['p50']:.0f} ms, p95 {f['p95']:.0f} ms, "
        f"p99 {f['p99']:.0f} ms |",
        f"| answered by each process | {f['by_upstream']} |",
        f"| in flight on the killed process | {f['in_flight']} |",
        f"| answered by the other process after a failure on the killed one (refused "
        f"connection, or an idempotent request in flight) | {f['retried']} |",
        f"| requests lost (answered 502/504) | {f['lost']} ({f['lost_detail'] or 'none'}) |",
        f"| other errors (4xx, 5xx, sockets) | {f['errors']} |",
        f"| requests cut by the client at the end | {f['client_closed']} |",
    ]
    for label, value in report["data"].items():
        lines.append(f"| {label} | {value} |")
    lines += [
        f"| tasks | {report['tasks']} |",
        "",
        "Checks: "
        + (
            "all passed."
            if not report["failures"]
            else "**failed**: " + "; ".join(report["failures"]) + "."
        ),
    ]
    detail = outcome.detail()
    if detail:
        lines += ["", detail]
    lines.append(END)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
