"""A web worker's memory under each kind of request of `load.py`, without wrk.

Usage (from the repository root):

    .venv/bin/python bench/worker_memory.py --server-venv var/bench-venv
    .venv/bin/python bench/worker_memory.py --database postgres --requests 300
    .venv/bin/python bench/worker_memory.py --result-day 2000
    .venv/bin/python bench/worker_memory.py --scale --applications 1000000 --smaps
    .venv/bin/python bench/worker_memory.py --allocators


Fills a throw-away database with `load.py`'s generators, starts granian as `load.py` does
(`load_server.Server`: the production command, its environment from `load.py`), then sends
each kind of request in `load.py`'s order, `--requests` of each from two threads, and prints
each worker's RSS and peak RSS (VmRSS and VmHWM of /proc/<pid>/status, MiB) at rest and after
each kind. Cheap enough to run on a busy machine: the load is bounded, not timed. With
`--allocators`, also what each worker's two allocators hold, in use and free (glibc's malloc
and Python's own, `allocators.py`, read by the worker through `served.py`'s memory view).

With `--result-day N`, then as `load.py`'s result day: N candidates' decisions published with
the pages cache in a throw-away Redis, their pages rendered ahead by the database task
workers, and a second server, sharing that cache, sent `--requests` of their status pages.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import load
import scale_data
import scale_load
from allocators import MEMORY_PATH
from cluster_services import redis_server
from load_server import Server, collected_static, stop_on_term
from staff_lists import (
    analyse,
    create_applications,
    create_staff,
    load_catalogue,
    throwaway_postgres,
)

KINDS = ("bare", "eligibility", "status", "staff-first", "staff-last", "drafts")
SCALE_KINDS = ("bare", "status", "queue", "api-queue", "drafts")
THREADS = 2
# Requests to the memory view until each worker has answered one (the kernel picks which).
MEMORY_TRIES = 50


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--database", choices=load.DATABASES, default="sqlite")
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind")
    parser.add_argument("--server-venv", type=Path, default=Path(sys.prefix))
    parser.add_argument("--blocking-threads", type=int, default=load.BLOCKING_THREADS)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--scale",
        action="store_true",
        help="scale_load.py's files and kinds of request, on PostgreSQL",
    )
    parser.add_argument("--smaps", action="store_true", help="split each RSS as smaps does")
    parser.add_argument(
        "--allocators",
        action="store_true",
        help="what each worker's allocators hold, in use and free",
    )
    parser.add_argument(
        "--result-day",
        type=int,
        default=0,
        metavar="N",
        help="also measure a result day's server, N candidates' pages kept in Redis",
    )
    args = parser.parse_args()
    args.result_day_candidates = args.result_day
    if args.scale:
        args.database = "postgres"
        if args.result_day:
            parser.error("--scale measures no result day")
    # What `load.requests_of` reads to size the drafts' pool: one draft for each request.
    args.warm_up, args.runs, args.duration = 0.0, 1, args.requests / load.MAX_DRAFT_RATE
    return args


def status(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of `pid` in MiB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as lines:
        for line in lines:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def split_rss(pid: int) -> tuple[float, float, float]:
    """(glibc's main heap, other anonymous memory, mapped files) of `pid`'s RSS in MiB."""
    kib = {"heap": 0, "anonymous": 0, "files": 0}
    part = "anonymous"
    with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            fields = line.split()
            if not fields[0].endswith(":"):  # a mapping's first line: address, ..., its name
                name = fields[5] if len(fields) > 5 else ""
                part = (
                    "heap" if name == "[heap]" else "files" if name.startswith("/") else "anonymous"
                )
            elif fields[0] == "Rss:":
                kib[part] += int(fields[1])
    return kib["heap"] / 1024, kib["anonymous"] / 1024, kib["files"] / 1024


def headers_of(request: Any) -> dict[str, str]:
    fields = request.line().split("\t")
    headers = {}
    if request.session:
        headers["Cookie"] = fields[2]
        if fields[3]:
            headers["X-CSRFToken"] = fields[3]
    if request.body:
        headers["Content-Type"] = "application/json"
    if request.bearer:
        headers["Authorization"] = f"Bearer {request.bearer}"
    return headers


def send_all(server: Server, items: list[Any], count: int, expected: int) -> int:
    """`count` requests cycling through `items` from two threads; the wrong answers."""
    wrong = [0] * THREADS

    def work(number: int) -> None:
        for index in range(number, count, THREADS):
            request = items[index % len(items)]
            answer, _ = server.get(
                request.path,
                method=request.method,
                headers=headers_of(request),
                data=request.body.encode() if request.body else None,
            )
            if answer != expected:
                wrong[number] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(wrong)


def measure(
    args: argparse.Namespace, var_dir: Path, database_url: str | None, redis_url: str | None
) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    load.setup_django(str(var_dir), database_url)
    import load_data
    from django.db import connection

    rng = random.Random(args.seed)
    cache_url = f"{redis_url}/1" if redis_url else None
    if args.scale:
        scale_data.catalogue()
        staff = create_staff()
        generated = scale_data.generate(args.applications, rng)
        print(f"generated in {generated.seconds:.0f} s", flush=True)
        load_data.open_demo_campaigns()
        requests = scale_load.requests_of(args, staff, rng)
        analyse()
        kinds = SCALE_KINDS
    else:
        load_catalogue()
        load_data.open_demo_campaigns()
        staff = create_staff()
        create_applications(args.applications, rng)
        requests = load.requests_of(args, staff, rng, cache_url)
        kinds = KINDS
    env = load.server_env(var_dir, database_url)
    python = args.server_venv / "bin" / "python"
    env["ADMISSIONS_STATIC_ROOT"] = str(collected_static(python, env))
    connection.close()
    granian = args.server_venv / "bin" / "granian"
    log = var_dir / "granian.log"
    print(f"database: {connection.vendor}, {args.requests} requests of each kind", flush=True)
    with Server(granian, env, log, threads=args.blocking_threads) as server:
        row("at rest", server.workers, 0, smaps=args.smaps)
        if args.allocators:
            held(server)
        for kind in kinds:
            wrong = send_all(server, requests[kind], args.requests, load.EXPECTED.get(kind, 200))
            row(kind, server.workers, wrong, smaps=args.smaps)
            if args.allocators:
                held(server)
            if wrong:
                print(server.log.read_text(errors="replace")[-3000:], flush=True)
    if cache_url is None:
        return
    shared_env = {**env, "ADMISSIONS_CACHE_URL": cache_url}
    rendered = load.render_ahead(args, shared_env, var_dir, cache_url)
    print(f"result day: {rendered}", flush=True)
    connection.close()
    log = var_dir / "granian-result-day.log"
    with Server(granian, shared_env, log, threads=args.blocking_threads) as server:
        row("at rest", server.workers, 0, smaps=args.smaps)
        kind = load.RESULT_DAY
        wrong = send_all(server, requests[kind], args.requests, load.EXPECTED.get(kind, 200))
        row(kind, server.workers, wrong, smaps=args.smaps)
        if wrong:
            print(server.log.read_text(errors="replace")[-3000:], flush=True)


def row(label: str, workers: list[int], wrong: int, *, smaps: bool = False) -> None:
    cells = [f"{rss:6.1f} (peak {hwm:6.1f})" for rss, hwm in map(status, workers)]
    if smaps:
        parts = [split_rss(pid) for pid in workers]
        cells = [
            f"{cell} [heap {heap:5.1f} anon {anonymous:5.1f} files {files:5.1f}]"
            for cell, (heap, anonymous, files) in zip(cells, parts, strict=True)
        ]
    note = f"  {wrong} WRONG ANSWERS" if wrong else ""
    print(f"{label:12} " + "  ".join(cells) + note, flush=True)


def held(server: Server) -> None:
    """Each worker's allocators (MiB), asked through the memory view. The view's own request
    is small: it adds nothing measurable to what it reports."""
    seen: dict[int, dict[str, float]] = {}
    for _ in range(MEMORY_TRIES):
        answer, body = server.get("/" + MEMORY_PATH)
        if answer != 200:
            raise RuntimeError(f"/{MEMORY_PATH}: {answer}")
        figures = json.loads(body)
        seen[int(figures.pop("pid"))] = figures
        if set(server.workers) <= set(seen):
            break
    for pid in server.workers:
        figures = seen.get(pid)
        if figures is None:
            print(f"{'':12} worker {pid}: did not answer", flush=True)
            continue
        glibc = [figures.get(f"glibc_{part}", 0.0) for part in ("arenas", "used", "free")]
        python = [figures[f"python_{part}"] for part in ("arenas", "used", "free")]
        print(
            f"{'':12} glibc {glibc[0]:5.1f} (used {glibc[1]:5.1f}, free {glibc[2]:5.1f})  "
            f"python {python[0]:5.1f} (used {python[1]:5.1f}, free {python[2]:4.1f})",
            flush=True,
        )


@contextmanager
def database(kind: str) -> Iterator[str | None]:
    if kind == "postgres":
        with throwaway_postgres() as url:
            yield url
    else:
        yield None


def main() -> None:
    args = parse_args()
    stop_on_term()
    with (
        tempfile.TemporaryDirectory(prefix="admissions-memory-") as var_dir,
        database(args.database) as url,
        ExitStack() as stack,
    ):
        redis_url = None
        if args.result_day:
            folder = Path(var_dir) / "redis"
            folder.mkdir()
            redis_url = stack.enter_context(redis_server(folder))
        measure(args, Path(var_dir), url, redis_url)


if __name__ == "__main__":
    main()
