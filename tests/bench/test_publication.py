"""`bench/publication.py` works: a small run publishes every decision and writes its figures.

Only that it works: nothing here is timed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_publication_bench_publishes_and_writes_its_figures(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\nKept.\n", encoding="utf-8")
    command = [sys.executable, "bench/publication.py", "--decisions", "30", "--one-by-one", "10"]
    command += ["--results", str(results), "--migrated-sqlite", str(migrated_sqlite)]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    assert "Kept." in text
    assert "| in bulk | 30 |" in text
    assert "| file by file | 10 |" in text
    # 30 decisions: 12 admitted, each with its confirmation email besides its decision.
    assert "| 42 |" in text
    # Written again, the section is replaced, not repeated.
    subprocess.run(command, cwd=ROOT, capture_output=True, timeout=600, check=True)
    assert results.read_text(encoding="utf-8").count("publication.py: begin") == 1
