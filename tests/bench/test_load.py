"""`make bench` works: a tiny database, one short run per figure, every figure written.

Only that it works: the figures of such a run mean nothing and nothing here is timed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.migrated import migrated_options
from tests.services import postgres
from tests.services.base import require_binary, unavailable

ROOT = Path(__file__).resolve().parents[2]
FIGURES = [
    "bare view, 1 / 8 / 16 clients",
    "public eligibility check API, 8 clients",
    "a candidate's status page, 16 clients",
    "staff list, first page, 1 client",
    "staff list, last page, 1 client",
    "creating an application draft through the API, 8 clients",
    "result day: 40 candidates' decision pages, 16 clients",
    "peak memory of one web worker",
]


def test_the_bench_writes_every_figure(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    require_binary("wrk", package="wrk")
    database = request.config.getoption("--database")
    if database == "postgres" and postgres.server_bin_dir() is None:
        unavailable("PostgreSQL server binaries not found: install the Debian package postgresql")
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Results\n\nKept.\n\n<!-- load.py: begin -->\nAn older run.\n<!-- load.py: end -->\n\n"
        "Kept too.\n",
        encoding="utf-8",
    )
    command = [sys.executable, "bench/load.py", "--applications", "300"]
    command += ["--databases", database, "--duration", "1", "--runs", "1", "--warm-up", "0"]
    command += ["--result-day-candidates", "40", *migrated_options(request, database)]
    command += ["--results", str(results)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=480, check=False
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    assert f"results written to {results}" in done.stdout
    text = results.read_text(encoding="utf-8")
    assert "Kept." in text
    assert "Kept too." in text
    assert "An older run." not in text
    for figure in FIGURES:
        row = next(line for line in text.splitlines() if line.startswith(f"| {figure} |"))
        assert "req/s" in row or "ms" in row or "MiB" in row, row
    assert "every figure" in text
    # Result day is measured with the pages cache in Redis, the pages rendered ahead.
    assert re.search(r"(SQLite|PostgreSQL): 40 pages by \d+ tasks? in", text)
