"""A campaign's report on a database of N applications, each with its history.

Usage (from the repository root):

    .venv/bin/python bench/reports.py --applications 200000
    .venv/bin/python bench/reports.py --applications 1000000 --throwaway-postgres
    .venv/bin/python bench/reports.py --applications 200000 --database-url postgres://...

Fills the database with the generator of `scale_data.py` (files, history along a path to
each status, ledger, documents, and the kept totals as the history made them), then counts
the report's totals again from that history (`rebuild_report_counts`, `rebuild_fee_totals`)
and times them, checking they equal what the generator kept, then times the report page and
its CSV and XLSX exports of the largest campaign for an admissions officer of the whole
institution. The page reads the kept totals only: its time and queries do not depend on N.
Writes its figures between the `reports.py` markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scale_data
from results_file import write_section
from staff_lists import create_staff, database_options, setup_django, throwaway_postgres

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- reports.py: begin -->", "<!-- reports.py: end -->"
REQUESTS = 20


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--applications", type=int, required=True, help="number of applications")
    database_options(parser)
    parser.add_argument("--results", type=Path, default=RESULTS)
    return parser.parse_args()


def measure(client: Any, url: str) -> tuple[int, list[float]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates compiled, rulebooks parsed
    samples = []
    queries = 0
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        assert body
        queries = len(captured)
    return queries, samples


def render(
    args: argparse.Namespace, figures: dict[str, Any], pages: list[tuple[str, int, list[float]]]
) -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    generated = figures["generated"]
    rows = ", ".join(f"{n:,} {table}" for table, n in generated.rows.items())
    command = f"bench/reports.py --applications {args.applications}"
    if args.throwaway_postgres:
        command += " --throwaway-postgres"
    lines = [
        BEGIN,
        f"Measured on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {figures['vendor']}, on 2 cores "
        f"shared with other work (load average {load} when written), by `{command}`: {rows}; "
        f"the campaign reported holds {figures['campaign_files']:,} files.",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| everything generated (`scale_data.generate`) | {generated.seconds:.1f} |",
        f"| `rebuild_report_counts` ({figures['report_rows']} rows, the same as generated;"
        f" every file's steps written again)"
        f" | {figures['rebuild_seconds']:.1f} |",
        f"| `rebuild_fee_totals` ({figures['fee_rows']} rows) | {figures['fees_seconds']:.1f} |",
        "",
        "| page | queries | requests | median ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, queries, samples in pages:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        median = statistics.median(samples)
        lines.append(f"| {label} | {queries} | {len(samples)} | {median:.1f} | {p95:.1f} |")
    worst = max(max(samples) for _label, _q, samples in pages)
    lines += [
        "",
        f"Target: a report under a second at a million applications. The page reads the kept "
        f"totals only (a few hundred rows per programme), so its time does not grow with the "
        f"files; slowest request here {worst:.0f} ms.",
        END,
    ]
    return "\n".join(lines)


def write_results(path: Path, section: str) -> None:
    write_section(path, section, begin=BEGIN, end=END, heading="## Reports\n\n")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="admissions-bench-reports-") as var_dir:
        if args.throwaway_postgres:
            with throwaway_postgres() as url:
                run(args, var_dir, url)
        else:
            run(args, var_dir, args.database_url)


def seconds(action: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def run(args: argparse.Namespace, var_dir: str, database_url: str | None) -> None:
    setup_django(var_dir, database_url, staff_second_factor=False)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from admissions.applications import report_counts
    from admissions.applications.funnel import FIRST_MASK
    from admissions.applications.models import Application
    from admissions.payments import fee_totals

    figures: dict[str, Any] = {"vendor": connection.vendor}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            figures["vendor"] = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        figures["vendor"] = f"SQLite {connection.Database.sqlite_version}"
    _none, took = seconds(scale_data.catalogue)
    print(f"migrate and load rulebooks: {took:.1f} s", flush=True)
    staff = create_staff()
    rng = random.Random(args.seed)
    generated = scale_data.generate(
        args.applications, rng, progress=lambda line: print(line, flush=True)
    )
    figures["generated"] = generated
    print(f"generated in {generated.seconds:.1f} s: {dict(generated.rows)}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    kept_report, kept_fees = report_counts.kept().as_dicts(), fee_totals.kept()
    # As an import leaves them: every file's steps to be written again by the rebuild.
    Application.objects.update(steps_reached=FIRST_MASK, step_reached_at=timezone.now())
    out = io.StringIO()
    _none, figures["rebuild_seconds"] = seconds(
        lambda: call_command("rebuild_report_counts", stdout=out)
    )
    figures["report_rows"] = out.getvalue().split()[0]
    assert report_counts.kept().as_dicts() == kept_report, "the generator's counts differ"
    assert not Application.objects.exclude(status="draft").filter(steps_reached=FIRST_MASK)
    out = io.StringIO()
    _none, figures["fees_seconds"] = seconds(lambda: call_command("rebuild_fee_totals", stdout=out))
    figures["fee_rows"] = out.getvalue().split()[0]
    assert fee_totals.kept() == kept_fees, "the generator's fee totals differ"
    print(figures, flush=True)
    institution = staff["institution"]
    campaign_id, files = (
        Application.objects.filter(campaign__institution=institution)
        .values_list("campaign_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]
    )
    figures["campaign_files"] = files
    client = Client()
    client.force_login(staff["admissions_officer"])
    pages = []
    for label, url in (
        ("a campaign's report, every programme", reverse("office:report", args=[campaign_id])),
        ("the report as CSV", reverse("office:report_export", args=[campaign_id, "csv"])),
        ("the report as XLSX", reverse("office:report_export", args=[campaign_id, "xlsx"])),
    ):
        queries, samples = measure(client, url)
        print(label, queries, f"{statistics.median(samples):.1f} ms", flush=True)
        pages.append((label, queries, samples))
    write_results(args.results, render(args, figures, pages))
    print(f"written to {args.results}", flush=True)


if __name__ == "__main__":
    main()
