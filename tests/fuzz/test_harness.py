"""A short fuzzing run of each target, as a test: any finding fails it.

Each target runs in a process of its own (libFuzzer takes the process over and ends it),
from the seeds of tests/fuzz/seeds.py, with a fixed seed so that a failure here happens
again on the next run; `make fuzz` runs them far longer with random seeds.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.harness import TARGETS
from tests.fuzz.seeds import SEEDS

ROOT = Path(__file__).resolve().parents[2]
# Executions and seconds for each target: enough to mutate every seed many times over,
# within a few seconds of the suite's time.
BUDGET = {"intake": (250, 10), "pdfscan": (1000, 8), "camt053": (3000, 5)}

pytest.importorskip("atheris")


def fuzz(
    target: str, work: Path, *, runs: int, seconds: int, seed: int | None
) -> tuple[int, str, list[Path]]:
    seeds = SEEDS[target](work / "seeds")
    found = work / "corpus"
    findings = work / "findings"
    found.mkdir()
    findings.mkdir()
    command = [
        sys.executable,
        "-m",
        "tests.fuzz.harness",
        target,
        f"-runs={runs}",
        f"-max_total_time={seconds}",
        "-rss_limit_mb=2048",
        "-timeout=30",
        f"-artifact_prefix={findings}/",
        *([f"-seed={seed}"] if seed is not None else []),
        str(found),
        str(seeds),
    ]
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=seconds * 4 + 120,
    )
    return done.returncode, done.stdout + done.stderr, sorted(findings.iterdir())


@pytest.mark.parametrize("target", TARGETS)
def test_a_short_fuzzing_run_finds_nothing(target: str, tmp_path: Path) -> None:
    runs, seconds = BUDGET[target]
    status, log, findings = fuzz(target, tmp_path, runs=runs, seconds=seconds, seed=20261206)
    shown = [
        f"{path.name}: {base64.b64encode(path.read_bytes()[:2000]).decode()}" for path in findings
    ]
    assert not findings, "\n".join([log[-4000:], *shown])
    assert status == 0, log[-4000:]
    assert "Done" in log  # the fuzzer ran to its budget, not stopped by something else


def test_a_finding_fails_the_run(tmp_path: Path) -> None:
    # What the test above reads of a run that finds something: a non-zero status, the
    # input written out, the exception told.
    status, log, findings = fuzz_broken(tmp_path)
    assert status != 0
    assert findings
    assert "ZeroDivisionError" in log


def fuzz_broken(work: Path) -> tuple[int, str, list[Path]]:
    findings = work / "findings"
    findings.mkdir()
    program = (
        "import sys, atheris\n"
        "def one(data):\n"
        "    if data: 1 / 0\n"
        "atheris.Setup(sys.argv, one)\n"
        "atheris.Fuzz()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, "-runs=100", f"-artifact_prefix={findings}/"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr, sorted(findings.iterdir())
