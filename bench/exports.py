"""The staff's list of files exported whole, as CSV and XLSX: time and peak memory at N files.

Usage (from the repository root):

    .venv/bin/python bench/exports.py                                # 10,000 then 100,000
    .venv/bin/python bench/exports.py --applications 10000 100000 --throwaway-postgres
    .venv/bin/python bench/exports.py --applications 100000 --database-url postgres://...

Fills the database with the generator of `scale_data.py` up to each size of `--applications`
in turn (the same database grown: 10,000 files, then 90,000 more), and at each size exports
every file an admissions officer of both institutions sees (every file past completeness
given to one of three pedagogical leads of its institution, so that the export names
reviewers), through the real views: the office's CSV and XLSX buttons (`office:export`,
`office:export_xlsx`) and the API's (`/api/v1/staff/exports/files.csv`, `files.xlsx`, with a
read-only token). Each export runs in a child process of its own, started for it: it signs
in, exports once with a filter that leaves one file (the views' code loaded),
resets its resident memory's high-water mark (`/proc/self/clear_refs`), then exports
everything with Django's test client, reading the whole streamed body, counting bytes and
rows (checked equal to the submitted files the officer sees), statements, wall and processor
time, and the high-water mark (`VmHWM`) against the resident memory before the request; then
exports again under tracemalloc for the peak of Python's allocations. Writes the figures
between the `exports.py` markers of bench/RESULTS.md, one block per database engine (the
other kept).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scale_data
from results_file import write_section
from staff_lists import (
    analyse,
    create_staff,
    database_options,
    setup_django,
    staff_token,
    throwaway_postgres,
)
from upload_cost import cpu_of

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- exports.py: begin -->", "<!-- exports.py: end -->"
ENGINES = ("SQLite", "PostgreSQL")
# (label, where, format): where is the office's page or the API.
EXPORTS = [
    ("office, CSV", "office", "csv"),
    ("office, XLSX", "office", "xlsx"),
    ("API, CSV", "api", "csv"),
    ("API, XLSX", "api", "xlsx"),
]
OFFICER = "admissions_officer@bench.invalid"
LEADS = 3
# Files not yet given to a reviewer; every other submitted file is.
NOT_REVIEWED = ("draft", "submitted", "incomplete", "complete")
MARK = "exported: "
MIB = 1024 * 1024


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--applications",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        help="sizes, the database grown to each in turn (default: 10000 100000)",
    )
    database_options(parser)
    parser.add_argument("--results", type=Path, default=RESULTS)
    # A child's run: one export measured on the database the parent filled.
    parser.add_argument("--measure", choices=[f"{w}-{f}" for _l, w, f in EXPORTS])
    parser.add_argument("--var-dir", help=argparse.SUPPRESS)
    return parser.parse_args()


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_high_water_mark() -> None:
    """VmHWM set back to the present resident size (proc(5), clear_refs, "5")."""
    Path("/proc/self/clear_refs").write_text("5")


class Statements:
    """Counts the statements Django sends (a server-side cursor's fetches are one)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Body:
    bytes: int = 0
    lines: int = 0
    first_byte: float = 0.0
    # The longest time without a byte, from the request to its last chunk: what a reverse
    # proxy's read timeout (nginx's proxy_read_timeout, 60 s in deploy/nginx.conf) bounds.
    longest_wait: float = 0.0


def read_body(response: Any, started: float, sink: Any | None) -> Body:
    """The whole streamed body: its size, its lines, and `sink` given every chunk."""
    body = Body()
    last = started
    for chunk in response.streaming_content:
        now = time.perf_counter()
        if not body.bytes:
            body.first_byte = now - started
        body.longest_wait = max(body.longest_wait, now - last)
        last = now
        data = chunk if isinstance(chunk, bytes) else chunk.encode()
        body.bytes += len(data)
        body.lines += data.count(b"\n")
        if sink is not None:
            sink.write(data)
    response.close()
    return body


def xlsx_rows(path: Path) -> int:
    """Rows of the workbook's sheet (its `<row` elements), read without loading the sheet."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as workbook, workbook.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            data = tail + chunk
            count += data.count(b"<row ")
            tail = data[-4:]
    return count


def measure(args: argparse.Namespace) -> None:
    """One export, in this fresh process, printed as JSON on a line of its own."""
    setup_django(args.var_dir, args.database_url, staff_second_factor=False)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from admissions.applications.models import Application
    from admissions.people.models import User

    where, kind = args.measure.split("-")
    officer = User.objects.get(email=OFFICER)
    if where == "office":
        client = Client()
        client.force_login(officer)
        url = reverse("office:export" if kind == "csv" else "office:export_xlsx")
    else:
        client = Client(headers={"Authorization": f"Bearer {staff_token(officer)}"})
        url = f"/api/v1/staff/exports/files.{kind}"
    one = Application.objects.filter(submitted_at__isnull=False).order_by("pk").first()
    assert one is not None, "no submitted file"
    warm = client.get(url, {"q": one.reference})
    assert warm.status_code == 200, warm.status_code
    read_body(warm, time.perf_counter(), None)
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    spool = tempfile.NamedTemporaryFile(suffix=f".{kind}")  # noqa: SIM115 - closed below
    gc.collect()
    rss_before = status_kib("VmRSS")
    reset_high_water_mark()
    statements = Statements()
    backend_cpu = cpu_of(backend)
    cpu, started = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(statements):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        body = read_body(response, started, spool if kind == "xlsx" else None)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    backend_cpu = cpu_of(backend) - backend_cpu
    high_water = status_kib("VmHWM")
    spool.flush()
    rows = xlsx_rows(Path(spool.name)) - 1 if kind == "xlsx" else body.lines - 1
    spool.close()
    gc.collect()
    tracemalloc.start()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    read_body(response, time.perf_counter(), None)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    figures = {
        "rows": rows,
        "bytes": body.bytes,
        "seconds": seconds,
        "first_byte": body.first_byte,
        "longest_wait": body.longest_wait,
        "cpu": cpu,
        "backend_cpu": backend_cpu if backend is not None else None,
        "statements": statements.count,
        "rss_before_kib": rss_before,
        "high_water_kib": high_water,
        "traced_peak": traced_peak,
    }
    print(MARK + json.dumps(figures), flush=True)


def officer_of_everything() -> Any:
    """`create_staff`'s admissions officer, given the same role on every institution."""
    from admissions.catalog.models import Institution
    from admissions.people.models import Role, StaffRole

    officer = create_staff()["admissions_officer"]
    for institution in Institution.objects.all():
        StaffRole.objects.get_or_create(
            user=officer, role=Role.ADMISSIONS_OFFICER, institution=institution, programme=None
        )
    return officer


def create_leads() -> dict[int, list[Any]]:
    """Three pedagogical leads per institution, named, to whom files are assigned."""
    from admissions.catalog.models import Institution
    from admissions.people.models import Role, StaffRole, User

    leads: dict[int, list[Any]] = {}
    for institution in Institution.objects.order_by("pk"):
        for n in range(LEADS):
            user = User.objects.create_user(f"lead-{institution.pk}-{n}@bench.invalid", None)
            user.first_name, user.last_name = "Dominique", f"Lead {n + 1}"
            user.save(update_fields=["first_name", "last_name"])
            StaffRole.objects.create(user=user, role=Role.PEDAGOGICAL_LEAD, institution=institution)
            leads.setdefault(institution.pk, []).append(user)
    return leads


def assign_reviewers(leads: dict[int, list[Any]], officer: Any) -> int:
    """Every file past completeness and not yet assigned given to one of its institution's
    leads, as the office's bulk assignment leaves them: the export names the reviewer."""
    from admissions.applications.models import Application
    from admissions.review.models import Assignment

    files = (
        Application.objects.filter(submitted_at__isnull=False, assignment__isnull=True)
        .exclude(status__in=NOT_REVIEWED)
        .values_list("pk", "programme__institution_id")
    )
    made = [
        Assignment(application_id=pk, reviewer=leads[institution][pk % LEADS], assigned_by=officer)
        for pk, institution in files.iterator(chunk_size=10_000)
    ]
    Assignment.objects.bulk_create(made, batch_size=5_000)
    return len(made)


def exported(args: argparse.Namespace, var_dir: str, database_url: str | None) -> list[dict]:
    """Each export measured in a child process of its own."""
    found = []
    for label, where, kind in EXPORTS:
        command = [sys.executable, __file__, "--measure", f"{where}-{kind}", "--var-dir", var_dir]
        if database_url:
            command += ["--database-url", database_url]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=3600)
        if done.returncode != 0:
            raise SystemExit(f"{label}: the export failed\n{done.stdout}\n{done.stderr[-5000:]}")
        line = next(x for x in done.stdout.splitlines() if x.startswith(MARK))
        figures = json.loads(line[len(MARK) :]) | {"label": label}
        print(label, figures, flush=True)
        found.append(figures)
    return found


def run(args: argparse.Namespace, var_dir: str, database_url: str | None) -> None:
    setup_django(var_dir, database_url, staff_second_factor=False)
    from django.db import connection

    from admissions.applications.lifecycle import Status
    from admissions.applications.models import Application
    from admissions.review.models import Assignment

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            vendor = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        vendor = f"SQLite {connection.Database.sqlite_version}"
    scale_data.catalogue()
    officer = officer_of_everything()
    leads = create_leads()
    rng = random.Random(args.seed)
    sizes: list[dict[str, Any]] = []
    written = 0
    for size in sorted(set(args.applications)):
        # The kept report totals then hold the last batch's only: no export reads them.
        generated = scale_data.generate(size - written, rng)
        written = size
        assigned = assign_reviewers(leads, officer)
        print(f"{size:,} applications ({generated.seconds:.0f} s), {assigned:,} more assigned")
        analyse()
        files = Application.objects.filter(submitted_at__isnull=False).exclude(status=Status.DRAFT)
        expected = files.count()
        # The database's connection closed: the children's statements are all it serves.
        connection.close()
        exports = exported(args, var_dir, database_url)
        for figures in exports:
            assert figures["rows"] == expected, (figures["label"], figures["rows"], expected)
        assigned = Assignment.objects.count()
        sizes.append(
            {"applications": size, "files": expected, "assigned": assigned, "exports": exports}
        )
    section = render(args, vendor, sizes)
    write_results(args.results, vendor.split()[0], section)
    print(f"written to {args.results}", flush=True)


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def render(args: argparse.Namespace, vendor: str, sizes: list[dict[str, Any]]) -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    command = "bench/exports.py --applications " + " ".join(str(n) for n in args.applications)
    if args.throwaway_postgres:
        command += " --throwaway-postgres"
    elif args.database_url:
        command += " --database-url ..."
    lines = [
        f"#### {vendor.split()[0]}",
        "",
        f"Measured on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {vendor}, on 2 cores shared "
        f"with other work (load average {load} when written), by `{command}`. Files listed "
        "(submitted) and, of them, given to a reviewer: "
        + "; ".join(
            f"{s['applications']:,} applications, {s['files']:,} listed, {s['assigned']:,} "
            "with a reviewer"
            for s in sizes
        )
        + ".",
        "",
        "| applications (files listed) | export | rows | MiB out | seconds | first byte s "
        "| longest wait s | CPU s | statements | RSS before MiB | peak RSS MiB "
        "| peak growth MiB | tracemalloc peak MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        for f in size["exports"]:
            backend = f" (+{f['backend_cpu']:.2f} server)" if f["backend_cpu"] is not None else ""
            lines.append(
                f"| {size['applications']:,} ({size['files']:,}) | {f['label']} | {f['rows']:,} "
                f"| {f['bytes'] / MIB:.1f} | {f['seconds']:.2f} | {f['first_byte']:.2f} "
                f"| {f['longest_wait']:.2f} | {f['cpu']:.2f}{backend} | {f['statements']} "
                f"| {mib(f['rss_before_kib'])} "
                f"| {mib(f['high_water_kib'])} "
                f"| {mib(f['high_water_kib'] - f['rss_before_kib'])} "
                f"| {f['traced_peak'] / MIB:.1f} |"
            )
    first, last = sizes[0], sizes[-1]
    if len(sizes) > 1:
        growth = []
        smallest = {f["label"]: f for f in first["exports"]}
        for b in last["exports"]:
            a = smallest[b["label"]]
            small = a["high_water_kib"] - a["rss_before_kib"]
            large = b["high_water_kib"] - b["rss_before_kib"]
            growth.append(
                f"{a['label']} {mib(small)} → {mib(large)} MiB "
                f"(tracemalloc {a['traced_peak'] / MIB:.1f} → {b['traced_peak'] / MIB:.1f})"
            )
        lines += [
            "",
            f"Peak growth from {first['files']:,} to {last['files']:,} rows: "
            + "; ".join(growth)
            + ".",
        ]
    return "\n".join(lines)


def write_results(path: Path, engine: str, block: str) -> None:
    """This engine's block between the markers, the other engine's block kept."""
    blocks = {engine: block}
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        inside = text.split(BEGIN, 1)[1].split(END, 1)[0]
        for other in ENGINES:
            heading = f"#### {other}\n"
            if other != engine and heading in inside:
                kept = inside.split(heading, 1)[1]
                for following in ENGINES:
                    kept = kept.split(f"#### {following}\n", 1)[0]
                blocks[other] = (heading + kept).strip("\n")
    body = "\n\n".join(blocks[name] for name in ENGINES if name in blocks)
    write_section(
        path,
        f"{BEGIN}\n{body}\n{END}",
        begin=BEGIN,
        end=END,
        heading="## Exports of the list of files\n\n",
    )


def main() -> None:
    args = parse_args()
    if args.measure:
        measure(args)
        return
    with tempfile.TemporaryDirectory(prefix="admissions-bench-exports-") as var_dir:
        if args.throwaway_postgres:
            with throwaway_postgres() as url:
                run(args, var_dir, url)
        else:
            run(args, var_dir, args.database_url)


if __name__ == "__main__":
    main()
