"""The served stack of `load.py`: granian as production runs it, wrk, and the workers' memory.

Everything listens on 127.0.0.1 and a free port; `Server` stops granian's whole process
group when it leaves its `with` block, whatever happened inside.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LOOPBACK = "127.0.0.1"
WORKERS = 2
START_TIMEOUT = 60.0
SAMPLE_SECONDS = 0.2
# The server's interpreter as docs/operations.md runs it: docstrings and asserts dropped, and
# code objects without their column positions (a traceback still names each file and line).
SERVER_OPTIMIZE = 2
SERVER_INTERPRETER = {"PYTHONOPTIMIZE": str(SERVER_OPTIMIZE), "PYTHONNODEBUGRANGES": "1"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


@dataclass
class MemorySampler:
    """Samples the RSS of each worker; `peak` is the highest of any one worker since `mark`."""

    pids: list[int]
    peak: float = 0.0
    peaks: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _phase: str = "start"

    def mark(self, phase: str) -> None:
        self._phase = phase

    def sample(self) -> float:
        values = [value for value in map(rss_mib, self.pids) if value is not None]
        return max(values, default=0.0)

    def run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            value = self.sample()
            self.peak = max(self.peak, value)
            self.peaks[self._phase] = max(self.peaks.get(self._phase, 0.0), value)

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self.run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Server:
    """granian --interface wsgi --workers 2 under `SERVER_INTERPRETER`, the command of
    docs/operations.md."""

    def __init__(self, granian: Path, env: dict[str, str], log: Path, *, threads: int) -> None:
        self.granian = granian
        self.threads = threads
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.env = env
        self.log = log

    def __enter__(self) -> Server:
        command = [
            str(self.granian),
            "--interface",
            "wsgi",
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--workers",
            str(WORKERS),
            *(["--blocking-threads", str(self.threads)] if self.threads else []),
            "--working-dir",
            str(BENCH),
            "served:application",
        ]
        compiled_sources(self.granian.parent / "python")
        self._log = self.log.open("wb")
        self.process = subprocess.Popen(
            command,
            env={**self.env, **SERVER_INTERPRETER},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"granian exited:\n{self.log.read_text()[-3000:]}")
            workers = children(self.process.pid)
            if len(workers) >= WORKERS and self.get("/bench/bare")[0] == 200:
                self.workers = workers
                return
            time.sleep(0.2)
        raise RuntimeError(f"granian did not answer in {START_TIMEOUT:.0f} s")

    def get(self, path: str, **request: Any) -> tuple[int, bytes]:
        """One request, redirects not followed: (status, body); 0 when nothing answers."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        req = urllib.request.Request(self.url + path, **request)  # noqa: S310 - loopback
        try:
            with opener.open(req, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            return 0, b""

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


@dataclass(frozen=True)
class Figures:
    """One wrk run: throughput, latency percentiles (ms) and what went wrong."""

    rate: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int
    wraps: int
    detail: str = ""

    def as_dict(self) -> dict[str, float | int]:
        return self.__dict__.copy()


def run_wrk(url: str, requests_file: Path, *, clients: int, seconds: float) -> Figures:
    threads = min(clients, 2)
    command = [
        "wrk",
        "--threads",
        str(threads),
        "--connections",
        str(clients),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "--script",
        str(BENCH / "requests.lua"),
        url,
        "--",
        str(requests_file),
        str(threads),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    data = json.loads(lines[-1].removeprefix("BENCH "))
    kinds = ("connect", "read", "write", "status", "timeout")
    errors = sum(data[key] for key in kinds)
    return Figures(
        rate=data["requests"] / (data["duration_us"] / 1e6),
        p50=data["p50_us"] / 1000,
        p95=data["p95_us"] / 1000,
        p99=data["p99_us"] / 1000,
        requests=data["requests"],
        errors=errors,
        wraps=data["wraps"],
        detail=", ".join(f"{data[key]} {key}" for key in kinds if data[key]),
    )


def profile(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    """py-spy on one worker, idle frames included (time spent waiting counts)."""
    command = [
        str(ROOT / ".venv/bin/py-spy"),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        "250",
        "--idle",
        "--format",
        "raw",
        "--output",
        str(output),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# A sample counts when its thread is serving a request; idle threads are left out.
IN_REQUEST = "WSGIHandler.__call__"


def profile_summary(raw: Path, top: int = 22, own_top: int = 12) -> str:
    """The functions most on the stack (inclusive) and on top of it (own), in % of the
    samples of threads serving a request, waits included."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit() or IN_REQUEST not in stack:
            continue
        count = int(count_text)
        total += count
        frames = [shorten(frame) for frame in stack.split(";")]
        frames = frames[next(i for i, f in enumerate(frames) if IN_REQUEST in f) :]
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    if not total:
        return "(no samples)"
    lines = [f"{total} samples in requests", "", "inclusive %  function"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "own %        function"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in own.most_common(own_top)]
    return "\n".join(lines)


def shorten(frame: str) -> str:
    """`function (path/to/module.py:line)` as `function (module path)`, lines dropped."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/src/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


def stop_on_term(*, timeout: int | None = None) -> None:
    """SIGTERM (and, after `timeout` seconds, SIGALRM) ends the process through its
    `finally` and `with` blocks, so that every server it started is stopped."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, leave)
    if timeout is not None:
        signal.signal(signal.SIGALRM, leave)
        signal.alarm(timeout)


def compiled_sources(python: Path) -> None:
    """The project's bytecode, written as a production install writes it (the bench's server
    runs the sources of this tree, installed editable), for the server's level and for the
    other processes' (commands, task workers). A worker that imports a module without it
    compiles the module in its own memory, and much of what the compiler took stays in the
    worker's heap (docs/operations.md). Only what changed is compiled again."""
    levels = ["-o", "0", "-o", str(SERVER_OPTIMIZE)]
    command = [str(python), "-m", "compileall", "-q", *levels, str(ROOT / "src" / "admissions")]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def collected_static(python: Path, env: dict[str, str]) -> Path:
    """`collectstatic` as production runs it (hashed names, compressed copies), once for
    each content of the static files: compressing them takes minutes on a busy machine."""
    digest = hashlib.sha256((ROOT / "requirements" / "main.txt").read_bytes())
    for path in sorted((ROOT / "src" / "admissions").rglob("static/**/*")):
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    target = ROOT / "var" / "bench-static" / digest.hexdigest()[:16]
    if (target / "staticfiles.json").exists():
        return target
    building = target.with_name(f"{target.name}.{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    command = [str(python), "-m", "admissions.manage", "collectstatic", "--no-input", "-v0"]
    subprocess.run(command, env={**env, "ADMISSIONS_STATIC_ROOT": str(building)}, check=True)
    try:
        building.rename(target)
    except OSError:
        # Another run collected the same files meanwhile.
        shutil.rmtree(building, ignore_errors=True)
    return target
