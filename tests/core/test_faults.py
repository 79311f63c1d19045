"""Fault points: nothing unless armed; armed, the first process to reach one holds there
until it is killed, and a process started again passes it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from admissions.core import faults
from tests.core.processes import SOURCE_DIR
from tests.services.base import stop_process, wait_until

HOLD = "from admissions.core import faults; faults.point('x.before_commit'); print('passed')"


def _run(folder: Path) -> subprocess.Popen[bytes]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(SOURCE_DIR),
        "ADMISSIONS_FAULT_POINTS": "other.point, x.before_commit",
        "ADMISSIONS_FAULT_DIR": str(folder),
    }
    return subprocess.Popen(
        [sys.executable, "-c", HOLD], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_an_unarmed_point_does_nothing() -> None:
    started = time.perf_counter()
    for _ in range(10_000):
        faults.point("submission.before_commit")
    assert time.perf_counter() - started < 0.5


def test_an_armed_point_holds_once_until_killed(tmp_path: Path) -> None:
    held = _run(tmp_path)
    try:
        wait_until(lambda: (tmp_path / "x.before_commit").exists(), timeout=30, what="point")
        time.sleep(0.3)
        assert held.poll() is None  # still holding
        held.kill()
        held.wait(timeout=10)
    finally:
        stop_process(held)
    again = _run(tmp_path)
    out, err = again.communicate(timeout=30)
    assert again.returncode == 0, err
    assert out.decode().strip() == "passed"
