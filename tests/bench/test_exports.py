"""`make bench-exports` works: two small sizes, every export measured and checked whole, the
figures written between the markers with the rest of the file and the other engine's kept.

Only that it works: the figures of such a run mean nothing and nothing here is timed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import postgres
from tests.services.base import unavailable

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = ["office, CSV", "office, XLSX", "API, CSV", "API, XLSX"]
SIZES = (150, 300)


def _run(results: Path, *options: str) -> str:
    command = [sys.executable, "bench/exports.py", "--applications", *map(str, SIZES)]
    command += ["--results", str(results), *options]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]
    assert f"written to {results}" in done.stdout
    return results.read_text(encoding="utf-8")


def _block(text: str, engine: str) -> str:
    inside = text.split("<!-- exports.py: begin -->", 1)[1].split("<!-- exports.py: end -->")[0]
    return inside.split(f"#### {engine}\n", 1)[1].split("####", 1)[0]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _check_figures(block: str) -> None:
    # Each figure found by its column's head: the table may gain columns.
    head = next(line for line in block.splitlines() if line.startswith("| applications "))
    column = {name: place for place, name in enumerate(_cells(head))}
    for size in SIZES:
        rows = [line for line in block.splitlines() if line.startswith(f"| {size} (")]
        assert [row.split(" | ")[1] for row in rows] == EXPORTS, rows
        for row in rows:
            cells = _cells(row)
            # Every submitted file the officer sees, and only those (drafts are not listed).
            files = int(re.fullmatch(rf"{size} \((\d+)\)", cells[0]).group(1))  # type: ignore[union-attr]
            assert 0 < files < size
            assert int(cells[column["rows"]]) == files
            statements = int(cells[column["statements"]])
            before = float(cells[column["RSS before MiB"]])
            peak = float(cells[column["peak RSS MiB"]])
            assert statements > 0
            assert peak >= before > 0
            seconds = float(cells[column["seconds"]])
            assert float(cells[column["first byte s"]]) <= seconds
            assert float(cells[column["longest wait s"]]) <= seconds
    assert "Peak growth from" in block


# In the PostgreSQL run of `make test` only (the bench starts its own throw-away cluster):
# eight children each setting Django up take the better part of a minute, and that run is
# the shorter of the two. The SQLite path differs only by the database it sets up.
@pytest.mark.postgres_only
@pytest.mark.timeout(900)
def test_the_exports_bench_runs_on_postgresql(tmp_path: Path) -> None:
    if postgres.server_bin_dir() is None:
        unavailable("PostgreSQL server binaries not found: install the Debian package postgresql")
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Results\n\nKept.\n\n<!-- exports.py: begin -->\n#### SQLite\n\nThe SQLite run.\n"
        "<!-- exports.py: end -->\n\nKept too.\n",
        encoding="utf-8",
    )

    text = _run(results, "--throwaway-postgres")

    assert "Kept." in text
    assert "Kept too." in text
    assert text.count("<!-- exports.py: begin -->") == 1
    assert "The SQLite run." in _block(text, "SQLite")
    block = _block(text, "PostgreSQL")
    assert "PostgreSQL 1" in block
    _check_figures(block)
    # The server's processor time is counted beside the export's.
    assert "server)" in block
