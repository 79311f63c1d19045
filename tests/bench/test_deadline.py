"""`make bench-deadline` works: two candidates for two seconds, the figures written, and
nothing the server accepted missing from the database or storage.

Only that it works: the figures of such a run mean nothing and nothing here is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.migrated import migrated_options
from tests.services import postgres
from tests.services.base import require_binary, unavailable

ROOT = Path(__file__).resolve().parents[2]
FIGURES = [
    "uploads accepted / submissions",
    "upload p50 / p95 / p99",
    "submission p50 / p95",
    "errors, files lost",
    "document intake (accepted bytes per second)",
    "peak memory of one web worker",
]


# Two servers' start, the static files collected and a database migrated, on a busy machine.
@pytest.mark.timeout(480)
def test_the_deadline_bench_writes_its_figures_and_loses_nothing(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    require_binary("wrk", package="wrk")
    require_binary("clamd", package="clamav-daemon")
    database = request.config.getoption("--database")
    if database == "postgres" and postgres.server_bin_dir() is None:
        unavailable("PostgreSQL server binaries not found: install the Debian package postgresql")
    results, figures = tmp_path / "RESULTS.md", tmp_path / "figures.json"
    results.write_text(
        "# Results\n\nKept.\n\n<!-- deadline.py: begin -->\nAn older run.\n"
        "<!-- deadline.py: end -->\n\nKept too.\n",
        encoding="utf-8",
    )
    command = [sys.executable, "bench/deadline.py", "--candidates", "2", "--seconds", "2"]
    command += ["--warm-up", "1", "--databases", database, *migrated_options(request, database)]
    command += ["--results", str(results), "--json", str(figures)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=420, check=False
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    text = results.read_text(encoding="utf-8")
    assert "Kept." in text
    assert "Kept too." in text
    assert "An older run." not in text
    for figure in FIGURES:
        row = next(line for line in text.splitlines() if line.startswith(f"| {figure} |"))
        assert any(unit in row for unit in ("ms", "MB/s", "MiB", " / ", "met")), row
    checked = json.loads(figures.read_text(encoding="utf-8"))[database]["verification"]
    assert checked["failures"] == []
    assert checked["uploads_answered"] > 0
    # Every upload the server accepted is in the database and in storage, bytes identical.
    assert checked["uploads_stored"] == checked["uploads_answered"]
    assert checked["submissions_found"] == checked["submissions_answered"]
    assert checked["submitted_twice"] == 0
