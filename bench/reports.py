"""A campaign's report on a database of N applications, each with its history.

Usage (from the repository root):

    .venv/bin/python bench/reports.py --applications 200000
    .venv/bin/python bench/reports.py --applications 200000 --database-url postgres://...

Fills the database with the staff lists' generator (`staff_lists.create_applications`, the
one `load.py` uses through `load_data.py`), then writes each file's history along a path to
its status (the moves a file makes, days apart), then counts the report's totals again from
that history (`rebuild_report_counts`, `rebuild_fee_totals`) and times them, then times the
report page and its CSV export of the largest campaign for an admissions officer of the
whole institution. The page reads the kept totals only: its time and queries do not depend
on N. Writes its figures between the `reports.py` markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from staff_lists import (
    BATCH,
    create_applications,
    create_staff,
    load_catalogue,
    setup_django,
    timed,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- reports.py: begin -->", "<!-- reports.py: end -->"
REQUESTS = 20
# The way to each status, from the draft (the moves of applications/lifecycle.py).
PATHS: dict[str, list[str]] = {
    "draft": [],
    "submitted": ["submitted"],
    "incomplete": ["submitted", "incomplete"],
    "complete": ["submitted", "complete"],
    "admissible": ["submitted", "complete", "admissible"],
    "not_admissible": ["submitted", "complete", "not_admissible"],
    "interview_scheduled": ["submitted", "complete", "admissible", "interview_scheduled"],
    "interviewed": ["submitted", "complete", "admissible", "interview_scheduled", "interviewed"],
    "on_agenda": ["submitted", "complete", "admissible", "on_agenda"],
    "admitted": ["submitted", "complete", "admissible", "on_agenda", "admitted"],
    "admitted_conditionally": [
        "submitted",
        "complete",
        "admissible",
        "on_agenda",
        "admitted_conditionally",
    ],
    "waitlisted": ["submitted", "complete", "admissible", "on_agenda", "waitlisted"],
    "not_admitted": ["submitted", "complete", "admissible", "on_agenda", "not_admitted"],
    "confirmed": ["submitted", "complete", "admissible", "on_agenda", "admitted", "confirmed"],
    "confirmed_conditionally": [
        "submitted",
        "complete",
        "admissible",
        "on_agenda",
        "admitted_conditionally",
        "confirmed_conditionally",
    ],
    "declined": ["submitted", "complete", "admissible", "on_agenda", "admitted", "declined"],
    "lapsed": ["submitted", "complete", "admissible", "on_agenda", "admitted", "lapsed"],
    "withdrawn": ["submitted", "withdrawn"],
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--applications", type=int, required=True, help="number of applications")
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--results", type=Path, default=RESULTS)
    return parser.parse_args()


def write_histories(rng: random.Random) -> int:
    """Each file's history: created, then one move a few days apart along its path."""
    from django.db import connection, transaction

    from admissions.applications.history import EVENT_COLUMNS
    from admissions.applications.models import Application, ApplicationEvent

    ops = connection.ops
    table = ops.quote_name(ApplicationEvent._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in EVENT_COLUMNS)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})"  # noqa: S608
    details = ops.adapt_json_value({}, None)
    start = datetime.now(UTC) - timedelta(days=400)
    written = 0
    rows = Application.objects.order_by("pk").values_list("pk", "status")
    batch: list[tuple[Any, ...]] = []
    with transaction.atomic():
        for pk, status in rows.iterator(chunk_size=BATCH):
            at = start + timedelta(hours=rng.randrange(24 * 60))
            batch.append(
                (
                    pk,
                    ops.adapt_datetimefield_value(at),
                    None,
                    "application.created",
                    "",
                    "draft",
                    details,
                )
            )
            before = "draft"
            for after in PATHS[status]:
                at += timedelta(hours=rng.randrange(6, 24 * 40))
                batch.append(
                    (
                        pk,
                        ops.adapt_datetimefield_value(at),
                        None,
                        f"application.to_{after}",
                        before,
                        after,
                        details,
                    )
                )
                before = after
            if len(batch) >= 20_000:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            with connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            written += len(batch)
    return written


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
    lines = [
        BEGIN,
        f"Measured on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {figures['vendor']}, 2 cores, "
        f"load average {load} when written, by `bench/reports.py --applications "
        f"{args.applications}`: {figures['applications']} applications, {figures['events']} "
        f"history lines, {figures['entries']} ledger entries; the campaign reported holds "
        f"{figures['campaign_files']} files.",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| history written | {figures['history_seconds']:.1f} |",
        f"| `rebuild_report_counts` ({figures['report_rows']} rows)"
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
    text = path.read_text(encoding="utf-8") if path.exists() else "# Results\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Reports\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="admissions-bench-reports-") as var_dir:
        setup_django(var_dir, args.database_url)
        from django.core.management import call_command
        from django.db import connection
        from django.db.models import Count
        from django.test import Client
        from django.urls import reverse

        from admissions.applications.models import Application, ApplicationEvent
        from admissions.payments.models import LedgerEntry

        figures: dict[str, Any] = {"vendor": connection.vendor}
        timed("migrate and load rulebooks", load_catalogue)
        staff = create_staff()
        rng = random.Random(args.seed)
        timed("generate", lambda: create_applications(args.applications, rng))
        started = time.perf_counter()
        figures["events"] = write_histories(rng)
        figures["history_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        out = io.StringIO()
        call_command("rebuild_report_counts", stdout=out)
        figures["rebuild_seconds"] = time.perf_counter() - started
        figures["report_rows"] = out.getvalue().split()[0]
        started = time.perf_counter()
        out = io.StringIO()
        call_command("rebuild_fee_totals", stdout=out)
        figures["fees_seconds"] = time.perf_counter() - started
        figures["fee_rows"] = out.getvalue().split()[0]
        figures["applications"] = Application.objects.count()
        figures["entries"] = LedgerEntry.objects.count()
        figures["events"] = ApplicationEvent.objects.count()
        institution = staff["institution"]
        campaign_id, files = (
            Application.objects.filter(campaign__institution=institution)
            .values_list("campaign_id")
            .annotate(n=Count("pk"))
            .order_by("-n")[0]
        )
        figures["campaign_files"] = files
        print(figures, flush=True)
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
