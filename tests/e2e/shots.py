"""Where the journeys' screenshots go, printed once at the end of the run.

`ADMISSIONS_E2E_SHOTS` names the folder (CI keeps it as an artifact); otherwise it is
`e2e-shots` in pytest's base temporary folder, the same for every parallel worker.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

VARIABLE = "ADMISSIONS_E2E_SHOTS"


def shots_folder(config: pytest.Config) -> Path:
    chosen = os.environ.get(VARIABLE, "").strip()
    if chosen:
        return Path(chosen).resolve()
    base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    # A parallel worker's base folder is one per worker, under the run's.
    if hasattr(config, "workerinput"):
        base = base.parent
    return base / "e2e-shots"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    folder = shots_folder(config)
    if folder.is_dir() and any(folder.iterdir()):
        terminalreporter.write_line(f"end-to-end screenshots: {folder}")
