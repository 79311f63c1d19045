"""What every test service shares: free loopback ports, bounded waits, the CI rule."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

LOOPBACK = "127.0.0.1"


class ServiceExitedError(RuntimeError):
    """The server's process ended before it was ready."""


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """A missing service fails the run in CI (where it must exist) and skips elsewhere."""
    if running_in_ci():
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)", pytrace=False)
    pytest.skip(reason)


def require_binary(name: str, *, package: str, extra_dirs: tuple[str, ...] = ()) -> str:
    """The path of an installed program, or fail/skip naming the Debian package to install."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin", *extra_dirs])
    path = shutil.which(name, path=search)
    if path is None:
        unavailable(f"{name} not found: install the Debian package {package}")
        raise AssertionError("unreachable")  # pragma: no cover - skip and fail both raise
    return path


def free_port() -> int:
    """A port that was free a moment ago; services bind it right away."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> None:
    """Poll `ready` until it answers true, the process dies, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceExitedError(f"{what} exited with code {process.returncode}{tail(log)}")
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s{tail(log)}")


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


START_ATTEMPTS = 3


def start_on_free_port(
    start: Callable[[int], subprocess.Popen[bytes]],
    ready: Callable[[int], bool],
    *,
    what: str,
    timeout: float,
    log: Path | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start a server on a free port; if it exits at once (the port was taken meanwhile by
    another process), try again on another port."""
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        process = start(port)
        try:
            wait_until(partial(ready, port), timeout=timeout, what=what, process=process, log=log)
        except ServiceExitedError:
            if attempt == START_ATTEMPTS:
                raise
            continue
        except BaseException:
            stop_process(process)
            raise
        return process, port
    raise AssertionError("unreachable")  # pragma: no cover


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 10) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def tail(log: Path | None, lines: int = 20) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return "\n" + "\n".join(text)
