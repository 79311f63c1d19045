"""What the browser journeys need from the whole run: where their screenshots go (printed
once at the end), and a live server that answers one request at a time.

`ADMISSIONS_E2E_SHOTS` names the screenshots' folder (CI keeps it as an artifact); otherwise
it is `e2e-shots` in pytest's base temporary folder, the same for every parallel worker.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

VARIABLE = "ADMISSIONS_E2E_SHOTS"


class OneRequestAtATime(WSGIServer):
    """The live server of the SQLite run shares the test's one in-memory connection: two
    requests at once (a page's draft saved as the candidate types, while a button is
    clicked) would meet in that connection and find the tables locked. Served in the live
    server's thread, one after the other, they never meet."""

    def __init__(self, *args: Any, connections_override: object = None, **kwargs: Any) -> None:
        # The live server's thread already uses the test's connections.
        super().__init__(*args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    LiveServerThread.server_class = OneRequestAtATime  # type: ignore[assignment]


def shots_folder(config: pytest.Config) -> Path:
    chosen = os.environ.get(VARIABLE, "").strip()
    if chosen:
        return Path(chosen).resolve()
    base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    # A parallel worker's base folder is one per worker, under the run's.
    if hasattr(config, "workerinput"):
        base = base.parent
    return base / "e2e-shots"


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    folder = shots_folder(config)
    if folder.is_dir() and any(folder.iterdir()):
        terminalreporter.write_line(f"end-to-end screenshots: {folder}")
