"""Running the platform's own commands in child processes, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import admissions

# Children import the very code under test, wherever this process imported it from.
SOURCE_DIR = Path(admissions.__file__).resolve().parent.parent

# Enqueues `echo(token)`, waits (bounded) for a worker to run it, prints status and value.
ENQUEUE_AND_WAIT = """
import time
from django_tasks import TaskResultStatus
from admissions.core.tasks import echo
result = echo.enqueue({token!r})
deadline = time.monotonic() + 30
while result.status not in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
    if time.monotonic() > deadline:
        break
    time.sleep(0.1)
    result.refresh()
print(result.status, result.return_value if result.status == "SUCCESSFUL" else "")
"""


def environment(var_dir: Path, **variables: str) -> dict[str, str]:
    """A clean environment: only PATH and the given ADMISSIONS_* variables."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(var_dir),
        "PYTHONPATH": str(SOURCE_DIR),
        "PYTHONUNBUFFERED": "1",
        "ADMISSIONS_VAR_DIR": str(var_dir),
        **{f"ADMISSIONS_{name}": value for name, value in variables.items()},
    }


def manage(
    env: dict[str, str], *arguments: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "admissions.manage", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_manage(env: dict[str, str], log: Path, *arguments: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "admissions.manage", *arguments],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def last_line(output: str) -> str:
    lines = output.strip().splitlines()
    return lines[-1] if lines else ""
