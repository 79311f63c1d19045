"""How long a jury's publication takes: N validated decisions moved, emailed and charged.

Usage (from the repository root):

    .venv/bin/python bench/publication.py --decisions 10000
    .venv/bin/python bench/publication.py --decisions 10000 --database-url postgres://...

The files are bulk-inserted on a jury's agenda with a validated decision each (40 % admitted,
10 % on the waiting list, 50 % not admitted), then `jury.publication.publish_session`
publishes them: every file's move and history, its decision email, and for each admission
the confirmation charge and the email opening the confirmation window, all in the outbox
(delivery is left to the task queue, as in production). A sample is also published file by
file on a copy of the same data, for comparison. The figures are written to
bench/RESULTS.md between the markers of the "Publication" section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results_file import write_section  # noqa: E402 - the path above first
from bench.staff_lists import (  # noqa: E402 - the path above first
    copy_migrated_sqlite,
    setup_django,
)

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN = "<!-- publication.py: begin -->"
END = "<!-- publication.py: end -->"
NORD = ROOT / "src/admissions/rulebooks/imt-nord-europe.toml"
# Out of 10: admitted, waiting list, not admitted.
MIX = ["admitted"] * 4 + ["waitlisted"] + ["not_admitted"] * 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument(
        "--one-by-one", type=int, default=300, help="decisions published file by file"
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--migrated-sqlite",
        type=Path,
        help="a migrated SQLite database to copy instead of migrating one (SQLite only)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    return parser.parse_args()


class Counter:
    """Counts the queries of a block (the database wrapper Django offers)."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)


def prepare(count: int, tag: str) -> int:
    """A session of its own with `count` files on its agenda, each with a validated decision."""
    from admissions.applications.models import Application
    from admissions.catalog.models import Campaign, JurySession, Programme
    from admissions.jury.models import AgendaItem, Decision, Publication
    from admissions.people.models import User

    campaign = Campaign.objects.filter(institution__slug="imt-nord-europe").order_by("pk").first()
    assert campaign is not None
    programme = (
        Programme.objects.filter(institution=campaign.institution, is_active=True)
        .order_by("slug")
        .first()
    )
    assert programme is not None
    Programme.objects.filter(pk=programme.pk).update(capacity=10 * count + 10_000)
    session = JurySession.objects.create(
        campaign=campaign,
        slug=f"bench-{tag}",
        name_fr=f"Jury {tag}",
        name_en=f"Jury {tag}",
        month="2024-06",
        date=dt.date(2024, 6, 20),
        files_cutoff=dt.date(2024, 6, 7),
        from_rulebook=False,
    )
    president = User.objects.create(email=f"president-{tag}@bench.example")
    member = User.objects.create(email=f"member-{tag}@bench.example")
    candidates = User.objects.bulk_create(
        [
            User(
                email=f"candidate-{tag}-{n}@bench.example",
                first_name="Camille",
                last_name=f"Bench {n}",
                preferred_language="en" if n % 5 == 0 else "fr",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    now = dt.datetime.now(dt.UTC)
    applications = Application.objects.bulk_create(
        [
            Application(
                reference=f"{tag.upper()[:8]}-2024-{n:06d}",
                candidate=candidate,
                campaign=campaign,
                programme=programme,
                track="full_time",
                financing_mode="personnel",
                status="on_agenda",
                eligibility={"judged": True, "route_kind": "standard"},
                submitted_at=now,
                status_changed_at=now,
                rulebook_digest=campaign.rulebook_digest,
            )
            for n, candidate in enumerate(candidates)
        ],
        batch_size=2000,
    )
    if applications[0].pk is None:  # a database that does not return the ids
        applications = list(
            Application.objects.filter(reference__startswith=f"{tag.upper()[:8]}-2024-").order_by(
                "pk"
            )
        )
    AgendaItem.objects.bulk_create(
        [AgendaItem(session=session, application=a, ready_on=now.date()) for a in applications],
        batch_size=2000,
    )
    decisions = []
    for n, application in enumerate(applications):
        outcome = MIX[n % len(MIX)]
        decisions.append(
            Decision(
                application=application,
                session=session,
                outcome=outcome,
                waitlist_rank=n + 1 if outcome == "waitlisted" else None,
                reason="" if outcome == "admitted" else "Bench",
                entered_by=member,
                entered_at=now,
                validated_by=president,
                validated_at=now,
            )
        )
    Decision.objects.bulk_create(decisions, batch_size=2000)
    Publication.objects.create(session=session, publish_at=now, requested_by=president)
    return session.pk


def publish(session_id: int, *, one_by_one: bool) -> dict[str, Any]:
    from django.db import connection
    from django.urls import reverse
    from django.utils import translation

    from admissions.applications.models import Application
    from admissions.jury.publication import publish_session
    from admissions.notify.models import Notification

    # A serving process has its URL patterns loaded: so does the bench, before the clock.
    for language in ("fr", "en"):
        with translation.override(language):
            reverse("portal:application_status", args=["ZZ-0000-000000"])
    counter = Counter()
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        published = publish_session(session_id, one_by_one=one_by_one)
    seconds = time.perf_counter() - started
    # The machine may be shared: the process's own CPU time says what the work costs.
    cpu_seconds = time.process_time() - cpu
    files = Application.objects.filter(agenda_item__session_id=session_id)
    emails = Notification.objects.filter(application__in=files).count()
    return {
        "published": published,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "queries": counter.queries,
        "emails": emails,
        "per_second": published / seconds if seconds else 0.0,
    }


def render(args: argparse.Namespace, bulk: dict[str, Any], single: dict[str, Any]) -> str:
    engine = "PostgreSQL" if args.database_url else "SQLite"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        BEGIN,
        f"Measured on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {engine}, "
        f"{os.cpu_count()} cores, load average {load} when written, by "
        f"`bench/publication.py --decisions {args.decisions} --one-by-one {args.one_by_one}`.",
        "",
        "| publication | decisions | seconds | CPU seconds | decisions per second | queries "
        "| emails queued |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| in bulk | {bulk['published']} | {bulk['seconds']:.2f} | {bulk['cpu_seconds']:.2f} "
        f"| {bulk['per_second']:.0f} | {bulk['queries']} | {bulk['emails']} |",
        f"| file by file | {single['published']} | {single['seconds']:.2f} "
        f"| {single['cpu_seconds']:.2f} | {single['per_second']:.0f} | {single['queries']} "
        f"| {single['emails']} |",
        "",
        f"Target: 10,000 decisions in under 10 s; "
        f"{'met' if bulk['seconds'] < 10 * bulk['published'] / 10_000 else 'missed'} "
        f"at this size ({bulk['seconds'] * 10_000 / max(bulk['published'], 1):.1f} s "
        "per 10,000).",
        END,
    ]
    return "\n".join(lines)


def write_results(path: Path, section: str) -> None:
    write_section(
        path, section, begin=BEGIN, end=END, heading="## Publication of a jury's decisions\n\n"
    )


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="admissions-bench-publication-") as var_dir:
        setup_django(var_dir, args.database_url)
        from django.core.management import call_command

        if args.database_url is None and args.migrated_sqlite is not None:
            copy_migrated_sqlite(args.migrated_sqlite)
        else:
            call_command("migrate", verbosity=0)
        call_command("load_rulebook", str(NORD), verbosity=0)
        bulk_session = prepare(args.decisions, "bulk")
        single_session = prepare(args.one_by_one, "single")
        bulk = publish(bulk_session, one_by_one=False)
        print(f"in bulk: {bulk}", flush=True)
        single = publish(single_session, one_by_one=True)
        print(f"file by file: {single}", flush=True)
        if bulk["published"] != args.decisions or single["published"] != args.one_by_one:
            raise SystemExit("not every decision was published")
        write_results(args.results, render(args, bulk, single))
        print(f"written to {args.results}", flush=True)


if __name__ == "__main__":
    main()
