"""`make bench-scale` works: a tiny generated database on a throw-away PostgreSQL cluster,
one short run per figure, every figure written beside the peer's.

Only that it works: the figures of such a run mean nothing and nothing here is timed. And
that the generated tables are vacuumed before the figures (`scale_load.settle`).
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from admissions.applications.models import Application
from tests.bench.migrated import migrated_options
from tests.factories import IN_NORD_CAMPAIGN
from tests.services import postgres
from tests.services.base import require_binary, unavailable

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import scale_data  # the bench folder is not a package: found through sys.path
import scale_load

ROOT = Path(__file__).resolve().parents[2]
FIGURES = [
    "bare view, 8 / 16 clients",
    "a candidate's status page, 16 clients",
    "staff queue page, two filters and a sort, 1 client",
    "the same page, 8 clients",
    "staff queue through the API (token), 8 clients",
    "creating an application draft through the API, 8 clients",
    "peak memory of one web worker",
]


# The bench measures PostgreSQL only: it runs in that run of `make test`.
@pytest.mark.postgres_only
@pytest.mark.timeout(600)
def test_the_scale_bench_writes_every_figure(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    require_binary("wrk", package="wrk")
    if postgres.server_bin_dir() is None:
        unavailable("PostgreSQL server binaries not found: install the Debian package postgresql")
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Results\n\nKept.\n\n<!-- scale_load.py: begin -->\nAn older run.\n"
        "<!-- scale_load.py: end -->\n\nKept too.\n",
        encoding="utf-8",
    )
    command = [sys.executable, "bench/scale_load.py", "--applications", "600"]
    command += ["--duration", "1", "--runs", "1", "--warm-up", "0", "--results", str(results)]
    command += migrated_options(request, "postgres")
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=540, check=False
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
    # Every request of every figure answered as it should: no error counted.
    table = text.split("| figure | clients |", 1)[1]
    rows = [line.split("|") for line in table.splitlines()[2:] if line.startswith("| ")]
    assert [cells[1].strip() for cells in rows] == [
        "bare-8",
        "bare-16",
        "status",
        "queue",
        "queue-8",
        "api-queue",
        "drafts",
    ]
    assert all(cells[8].strip() == "0" for cells in rows), rows


# VACUUM runs outside a transaction: the test's database is emptied afterwards instead.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_generated_tables_are_vacuumed_before_the_figures() -> None:
    scale_data.load_rulebooks()
    scale_data.generate(30, random.Random(7))
    table = Application._meta.db_table

    def all_visible_pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = %s", [table])
            return int(cursor.fetchone()[0])

    # Written by COPY: no page is marked all-visible until a vacuum has passed.
    assert all_visible_pages() == 0
    scale_load.settle()
    assert all_visible_pages() > 0
