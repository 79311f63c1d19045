"""What one deadline-day upload costs, stage by stage, in one process.

Usage (from the repository root):

    .venv/bin/python bench/upload_cost.py --database sqlite --uploads 60
    .venv/bin/python bench/upload_cost.py --database postgres --profile

Prepares candidates as `deadline.py` does (SQLite in a temporary folder, or a throw-away
PostgreSQL cluster), starts the tests' clamd (one signature: the EICAR test file), then sends
each candidate's six 1 MB PDF uploads to the project's WSGI handler in this process, with the
multipart body, cookie and CSRF header `deadline.lua` sends. DEBUG is off and the request
signals stay connected, as in a worker. Prints, per upload, the CPU time (`time.process_time`)
and the wall time of the whole request and of its stages: reading the body, the SHA-256, the
storage writes, the clamd scan, the sniffing, the PDF check in its child, the database
statements (timed through an execute wrapper, counted); and the CPU time the other processes
spent meanwhile: clamd, the PDF check's children (through their fork server) and, on
PostgreSQL, the connection's backend. The first uploads (the fork server's start, the
connections) are not counted.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import functools
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from deadline import clamd_process
from signed_in import call
from staff_lists import ROOT, load_catalogue, throwaway_postgres

BOUNDARY = "deadline-bench-boundary-7d1f0c"
WARM_UPLOADS = 6
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--uploads", type=int, default=60, help="uploads counted")
    parser.add_argument("--profile", action="store_true", help="cProfile (CPU) of the uploads")
    parser.add_argument(
        "--clamd",
        choices=("unix", "tcp"),
        default="unix",
        help="reach clamd on its unix socket (files handed by descriptor, as production on "
        "the same machine) or its loopback TCP port (files streamed)",
    )
    return parser.parse_args()


def setup(var_dir: str, database_url: str | None, clamd_address: str) -> None:
    os.environ["ADMISSIONS_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "admissions.settings"
    os.environ["ADMISSIONS_DEBUG"] = "false"
    os.environ["ADMISSIONS_LOG_LEVEL"] = "warning"
    os.environ["ADMISSIONS_API_RATE_PER_MINUTE"] = "0"
    os.environ["ADMISSIONS_CLAMD"] = clamd_address
    if database_url:
        os.environ["ADMISSIONS_DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()


def cpu_of(pid: int | None, *, children: bool = False) -> float:
    """Seconds of processor time of `pid` (or of its reaped children), from /proc."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the name: state is field 3 of stat(5); utime 14, stime 15, cutime 16, cstime 17.
    first = 13 if children else 11
    return (int(fields[first]) + int(fields[first + 1])) / CLOCK_TICKS


class Stages:
    """CPU and wall time spent in named functions, and in database statements."""

    def __init__(self) -> None:
        self.cpu: collections.Counter[str] = collections.Counter()
        self.wall: collections.Counter[str] = collections.Counter()
        self.statements = 0
        self.texts: collections.Counter[str] = collections.Counter()

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[label] += time.process_time() - cpu
                self.wall[label] += time.perf_counter() - wall

        setattr(owner, name, timed)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.statements += 1
        self.texts[sql[:90]] += 1
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.cpu["database statements"] += time.process_time() - cpu
            self.wall["database statements"] += time.perf_counter() - wall

    def reset(self) -> None:
        self.cpu.clear()
        self.wall.clear()
        self.statements = 0
        self.texts.clear()


def instrument(stages: Stages) -> None:
    """Time the stages where the code looks them up (module attributes, called by name)."""
    from admissions.api import uploads
    from admissions.core import antivirus
    from admissions.documents import intake, pdfcheck, storage

    stages.wrap(uploads, "parse_upload", "body read (multipart)")
    for name, label in (
        ("sha256_of", "sha256"),
        ("scan_file", "clamd scan"),
        ("sniff", "sniff"),
        ("inspect_pdf", "PDF check"),
    ):
        if hasattr(intake, name):
            stages.wrap(intake, name, label)
    stages.wrap(pdfcheck, "_scan_in_child", "PDF check: child")
    stages.wrap(antivirus.ClamdClient, "scan_stream", "clamd scan: protocol")
    for name in ("write", "write_to", "copy", "delete_quietly"):
        if hasattr(storage, name):  # the same bench measures the code before and after
            stages.wrap(storage, name, f"storage {name}")


def upload_environ(candidate: Any, number: int, data: bytes) -> dict[str, Any]:
    import load_data

    code, valid = candidate.documents[number - 1]
    parts = []
    if valid:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="valid_until"\r\n\r\n'
            f"{valid}\r\n".encode()
        )
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{code}.pdf"'
        "\r\nContent-Type: application/pdf\r\n\r\n".encode()
    )
    parts += [data, f"\r\n--{BOUNDARY}--\r\n".encode()]
    body = b"".join(parts)
    cookie = f"{load_data.SESSION_COOKIE}={candidate.session}; {load_data.CSRF_COOKIE}=" + (
        load_data.CSRF_SECRET
    )
    return {
        "body": body,
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/api/v1/documents/{candidate.reference}/{code}",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "HTTP_X_CSRFTOKEN": load_data.CSRF_SECRET,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


def fork_server_pid() -> int | None:
    from multiprocessing import forkserver

    from admissions.documents import pdfcheck

    # The PDF check's own fork server; before it had one, Python's.
    if (own := getattr(pdfcheck, "FORK_SERVER", None)) is not None:
        return own.pid  # type: ignore[no-any-return]
    return getattr(forkserver._forkserver, "_forkserver_pid", None)


def measure(args: argparse.Namespace, var_dir: str, database_url: str | None) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    with clamd_process(over=args.clamd) as (clamd_address, clamd_pid):
        setup(var_dir, database_url, clamd_address)
        import deadline
        import load_data
        from django.core.wsgi import get_wsgi_application
        from django.db import connection

        load_catalogue()
        load_data.open_demo_campaigns()
        count = (args.uploads + WARM_UPLOADS) // deadline.DOCUMENTS + 1
        plan = deadline.prepare(count, Path(var_dir) / "plan")
        envs = [
            upload_environ(candidate, number, plan.document(candidate.index, number))
            for candidate in plan.candidates
            for number in range(1, len(candidate.documents) + 1)
        ]
        application = get_wsgi_application()
        stages = Stages()
        instrument(stages)
        for env in envs[:WARM_UPLOADS]:
            if (status := call(application, env)) != 201:
                raise RuntimeError(f"{env['PATH_INFO']}: {status}")
        backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
        counted = envs[WARM_UPLOADS : WARM_UPLOADS + args.uploads]
        stages.reset()
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        others = {
            "clamd": lambda: cpu_of(clamd_pid),
            "PDF check children": lambda: cpu_of(fork_server_pid(), children=True),
            "fork server": lambda: cpu_of(fork_server_pid()),
            "PostgreSQL backend": lambda: cpu_of(backend),
        }
        before = {name: read() for name, read in others.items()}
        samples: list[float] = []
        with connection.execute_wrapper(stages):
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for env in counted:
                started = time.process_time()
                if (status := call(application, env)) != 201:
                    raise RuntimeError(f"{env['PATH_INFO']}: {status}")
                samples.append(time.process_time() - started)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        time.sleep(0.2)  # the last child reaped by the fork server
        spent = {name: read() - before[name] for name, read in others.items()}
        n = len(counted)
        print(
            f"database: {connection.vendor}; {n} uploads of 1 MB; clamd over {args.clamd}; "
            f"load {os.getloadavg()}"
        )
        print(
            f"  whole request: CPU {cpu * 1000 / n:.1f} ms (median "
            f"{statistics.median(samples) * 1000:.1f}, least {min(samples) * 1000:.1f}), "
            f"wall {wall * 1000 / n:.1f} ms"
        )
        for label in sorted(stages.wall):
            print(
                f"  {label:<26} CPU {stages.cpu[label] * 1000 / n:6.1f} ms, "
                f"wall {stages.wall[label] * 1000 / n:6.1f} ms"
            )
        print(f"  statements: {stages.statements / n:.1f} an upload")
        for sql, times in stages.texts.most_common():
            print(f"    {times / n:.2f} {sql}")
        for name, seconds in spent.items():
            print(f"  other process, {name:<20} CPU {seconds * 1000 / n:6.1f} ms")
        total = cpu + sum(spent.values())
        print(f"  all processes: CPU {total * 1000 / n:.1f} ms an upload")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
            print(out.getvalue())


def main() -> None:
    args = parse_args()
    with ExitStack() as stack:
        var_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="admissions-upload-"))
        url = stack.enter_context(throwaway_postgres()) if args.database == "postgres" else None
        measure(args, var_dir, url)


if __name__ == "__main__":
    main()
