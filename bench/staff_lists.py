"""Query counts, timings and query plans of the staff lists on a database of N applications.

Usage (from the repository root):

    .venv/bin/python bench/staff_lists.py --applications 100000
    .venv/bin/python bench/staff_lists.py --applications 100000 --database-url postgres://...
    .venv/bin/python bench/staff_lists.py --applications 100000 --throwaway-postgres

The data are written by `scale_data.generate` (see bench/README.md): the point is the shape
and volume of the tables the staff lists read, not the services that fill them in real life.
`create_applications` is the older, lighter generator `load.py` still uses (files and fees
only, over the shipped rulebooks' eight programmes).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import scale_data
from scale_data import (
    APPLICATIONS_PER_CANDIDATE,
    FEE_CENTS,
    PAID_SHARE,
    REFUNDED_SHARE,
    RULEBOOKS,
    STATUS_WEIGHTS,
)

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5_000
REQUESTS = 20
# A page slower than this stops being timed early: its few samples already tell the story.
PAGE_BUDGET_SECONDS = 20.0


def database_options(parser: argparse.ArgumentParser) -> None:
    """The database a bench fills and measures, and the seed of its data."""
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    parser.add_argument(
        "--throwaway-postgres",
        action="store_true",
        help="start a throw-away PostgreSQL cluster on 127.0.0.1 and measure on it",
    )
    parser.add_argument("--seed", type=int, default=2026)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--applications", type=int, required=True, help="number of applications")
    database_options(parser)
    return parser.parse_args()


def migrated_options(parser: argparse.ArgumentParser) -> None:
    """A database `migrate` already built, to start from instead of migrating one: the
    tests' runs, which have one at hand, pass it; by default the bench migrates its own."""
    parser.add_argument(
        "--migrated-sqlite",
        type=Path,
        help="a migrated SQLite database the SQLite run copies instead of migrating its own",
    )
    parser.add_argument(
        "--migrated-postgres",
        help="the URL of a migrated PostgreSQL database: the PostgreSQL run creates its own "
        "from it (CREATE DATABASE ... TEMPLATE) on that server instead of migrating one on a "
        "throw-away cluster",
    )


@contextmanager
def postgres_database(migrated: str | None) -> Iterator[str]:
    """The URL of the PostgreSQL database a bench fills: the throw-away cluster's, or a
    database of its own created from `migrated` on that database's server, dropped at the
    end."""
    if migrated is None:
        with throwaway_postgres() as url:
            yield url
        return
    server, template = migrated.rsplit("/", 1)
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(migrated, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(migrated, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_from_migrated(args: argparse.Namespace, database_url: str | None) -> bool:
    """Whether the bench's database is a copy of a migrated one (`migrated_options`):
    on SQLite (`database_url` None) the copy is made here, on PostgreSQL `postgres_database`
    made it."""
    if database_url is None:
        if args.migrated_sqlite is None:
            return False
        copy_migrated_sqlite(args.migrated_sqlite)
        return True
    return args.migrated_postgres is not None


def copy_migrated_sqlite(migrated: Path) -> None:
    """The default database, a SQLite file not opened yet, made a copy of `migrated`
    through SQLite's backup (whole pages, whatever a write-ahead log still held)."""
    from django.db import connection

    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(migrated)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The tests' throw-away cluster (tests/services/postgres.py), outside pytest."""
    import pwd
    import shutil

    sys.path.insert(0, str(ROOT))
    from tests.services import postgres

    bin_dir = postgres.server_bin_dir()
    if bin_dir is None:
        raise SystemExit("PostgreSQL server binaries not found")
    prefix = postgres._as_server_user()
    root = Path(tempfile.mkdtemp(prefix="admissions-bench-pg-"))
    if prefix:
        owner = pwd.getpwnam(postgres.SUPERUSER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, log = root / "data", root / "server.log"
    pg_ctl = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data)]
    port = None
    try:
        initdb = [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", postgres.SUPERUSER]
        options = ["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]
        postgres._run([*initdb, *options], timeout=120)
        port = postgres._start(pg_ctl, log)
        yield f"postgres://{postgres.SUPERUSER}@{postgres.LOOPBACK}:{port}/postgres"
    finally:
        try:
            if port is not None:
                postgres._run([*pg_ctl, "-m", "fast", "-w", "-t", "60", "stop"], timeout=90)
        finally:
            shutil.rmtree(root, ignore_errors=True)


def setup_django(
    var_dir: str, database_url: str | None, *, staff_second_factor: bool = True
) -> None:
    """Django set up on `database_url` (SQLite in `var_dir` if None). Benches that sign staff
    in with `force_login`, which passes no second factor (as in the tests), turn it off;
    the served benches keep it, as production must (their sessions carry one)."""
    os.environ["ADMISSIONS_VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "admissions.settings"
    if not staff_second_factor:
        os.environ["ADMISSIONS_STAFF_SECOND_FACTOR_REQUIRED"] = "false"
    if database_url:
        os.environ["ADMISSIONS_DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings, setup_test_environment

    # Lets the test client reach the views ("testserver" host, in-memory mail).
    setup_test_environment()
    # The hashed-names manifest exists only after collectstatic; name the assets plainly.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    from django.core import signals
    from django.db import close_old_connections

    # As in Django's own test cases: one connection throughout, so its queries can be counted.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


def timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def batches(total: int) -> Iterator[range]:
    for start in range(0, total, BATCH):
        yield range(start, min(start + BATCH, total))


def load_catalogue(*, migrated: bool = False) -> None:
    """The schema migrated (unless the database is a copy of a `migrated` one) and the
    shipped rulebooks loaded."""
    from django.core.management import call_command

    if not migrated:
        call_command("migrate", verbosity=0)
    call_command("load_rulebook", *[str(path) for path in RULEBOOKS], stdout=io.StringIO())


def create_staff() -> dict[str, Any]:
    """One admissions officer and one finance officer on the whole of the first institution."""
    from admissions.catalog.models import Institution
    from admissions.people.models import Role, StaffRole, User

    institution = Institution.objects.order_by("pk").first()
    assert institution is not None, "the rulebooks created no institution"
    staff = {}
    for role in (Role.ADMISSIONS_OFFICER, Role.FINANCE_OFFICER):
        user = User.objects.create_user(f"{role.value}@bench.invalid", password=None)
        StaffRole.objects.create(user=user, role=role, institution=institution)
        staff[role.value] = user
    staff["institution"] = institution
    return staff


def staff_token(user: Any) -> str:
    """A read-only API token of `user`, as the token page makes it once their second factor
    is confirmed (that check is the page's, not the token's)."""
    from admissions.people.models import ApiToken
    from admissions.people.tokens import new_secret

    text, key_id, digest = new_secret()
    ApiToken.objects.create(user=user, name="bench", key_id=key_id, digest=digest)
    return str(text)


def create_applications(total: int, rng: random.Random) -> None:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from admissions.applications.models import Application
    from admissions.catalog.models import Campaign, Programme
    from admissions.payments.models import EntryKind, LedgerEntry, Method
    from admissions.people.models import User

    programmes = list(Programme.objects.order_by("pk"))
    campaigns: dict[int, list[Campaign]] = {}
    for campaign in Campaign.objects.order_by("opens_on"):
        campaigns.setdefault(campaign.institution_id, []).append(campaign)
    programmes = [p for p in programmes if p.institution_id in campaigns]
    # Three files per candidate must go to three programmes for the uniqueness constraint.
    assert len(programmes) >= APPLICATIONS_PER_CANDIDATE, "too few programmes with a campaign"
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    now = datetime.now(UTC)
    password = make_password(None)
    candidates = -(-total // APPLICATIONS_PER_CANDIDATE)
    user_ids: list[int] = []
    with transaction.atomic():
        for chunk in batches(candidates):
            users = [
                User(email=f"candidate{i}@bench.invalid", password=password, first_name="C")
                for i in chunk
            ]
            User.objects.bulk_create(users)
        user_ids = list(
            User.objects.filter(email__startswith="candidate")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    for chunk in batches(total):
        with transaction.atomic():
            files = []
            for i in chunk:
                programme = programmes[i % len(programmes)]
                campaign = rng.choice(campaigns[programme.institution_id])
                track = rng.choice(programme.tracks)
                status = rng.choices(statuses, weights)[0]
                submitted = None
                if status != "draft":
                    submitted = now - timedelta(seconds=rng.randrange(730 * 86_400))
                files.append(
                    Application(
                        reference=f"BENCH-0000-{i:06d}",
                        candidate_id=user_ids[i // APPLICATIONS_PER_CANDIDATE],
                        campaign=campaign,
                        programme=programme,
                        track=track,
                        financing_mode=financing_mode(campaign, track),
                        status=status,
                        submitted_at=submitted,
                        # As submission copies it; seven files in ten from the EU, drawn
                        # without the generator so that the other columns stay as they were.
                        eu_national=None if submitted is None else i % 10 < 7,
                    )
                )
            created = Application.objects.bulk_create(files)
            if created[0].pk is None:
                by_reference = dict(
                    Application.objects.filter(
                        reference__in=[f.reference for f in files]
                    ).values_list("reference", "pk")
                )
                for item in created:
                    item.pk = by_reference[item.reference]
            entries = []
            for item in created:
                if item.status == "draft":
                    continue
                common = {"application_id": item.pk, "charge_kind": "application_fee"}
                entries.append(LedgerEntry(kind=EntryKind.CHARGE, amount_cents=FEE_CENTS, **common))
                if rng.random() < PAID_SHARE:
                    entries.append(
                        LedgerEntry(
                            kind=EntryKind.PAYMENT,
                            amount_cents=FEE_CENTS,
                            method=Method.CARD,
                            **common,
                        )
                    )
                    if rng.random() < REFUNDED_SHARE:
                        entries.append(
                            LedgerEntry(kind=EntryKind.REFUND, amount_cents=FEE_CENTS, **common)
                        )
            LedgerEntry.objects.bulk_create(entries)
    # Files written in bulk, not moved one by one: the staff's home reads these counts, the
    # finance pages the fee totals and the files' balances.
    call_command("rebuild_step_counts", stdout=io.StringIO())
    call_command("rebuild_fee_totals", stdout=io.StringIO())


def financing_mode(campaign: Any, track: str) -> str:
    """The rulebook's first financing mode open to the track, as a candidate would choose."""
    from admissions.applications.choices import financing_modes_for

    return financing_modes_for(campaign, track)[0].code


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def percentile_95(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def measure(client: Any, url: str, *, warm_up: bool) -> tuple[int, list[float], list[str]]:
    """Queries of one request, and the wall times of up to REQUESTS requests (ms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm_up:
        client.get(url)  # compiles the page's templates, which then stay cached
    started = time.perf_counter()
    budget_ends = started + PAGE_BUDGET_SECONDS
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    samples = [(time.perf_counter() - started) * 1000]
    assert response.status_code == 200, f"{url}: {response.status_code}"
    # Read now: the next request empties the connection's query log.
    sql = [query["sql"] for query in captured.captured_queries]
    while len(samples) < REQUESTS and time.perf_counter() < budget_ends:
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return len(sql), samples, sql


def explain(sql: str) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return [f"{row[0]}|{row[1]} {row[3]}" for row in rows]
    return [row[0] for row in rows]


def pages(staff: dict[str, Any]) -> list[tuple[str, str, Any]]:
    from django.urls import reverse

    from admissions.catalog.models import Campaign

    home = reverse("office:home")
    queue = reverse("office:queue")
    campaign = (
        Campaign.objects.filter(institution=staff["institution"]).order_by("-opens_on").first()
    )
    assert campaign is not None
    campaign_url = reverse("office:finance:balance_campaign", args=[campaign.pk])
    officer, finance = staff["admissions_officer"], staff["finance_officer"]
    return [
        ("office home, page 1", home, officer),
        ("office home, oldest page", f"{home}?last=1", officer),
        ("queue, page 1", queue, officer),
        (
            "queue, EU on work-study, waiting longest",
            f"{queue}?nationality=eu&track=work_study&sort=waiting",
            officer,
        ),
        (
            "queue, complete, one financing, by name",
            f"{queue}?status=complete&financing={common_financing()}&sort=name",
            officer,
        ),
        ("finance index", reverse("office:finance:index"), finance),
        ("finance refunds", reverse("office:finance:refunds"), finance),
        ("finance issues", reverse("office:finance:issues"), finance),
        ("balances by campaign", reverse("office:finance:balances"), finance),
        ("campaign balances, page 1", campaign_url, finance),
        ("campaign balances, last page", f"{campaign_url}?last=1", finance),
        ("campaign balances owing, page 1", f"{campaign_url}?owing=1", finance),
        ("finance export form", reverse("office:finance:export"), finance),
    ]


def common_financing() -> str:
    """The financing mode most files hold."""
    from django.db.models import Count

    from admissions.applications.models import Application

    return str(
        Application.objects.exclude(financing_mode="")
        .values_list("financing_mode", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )


# The main list queries to explain: (page, table read, a word only that query holds).
EXPLAINED = [
    ("office home, oldest page", "applications_application", "COUNT(*)"),
    ("office home, oldest page", "applications_application", "ORDER BY"),
    ("queue, EU on work-study, waiting longest", "applications_application", "LIMIT"),
    ("queue, complete, one financing, by name", "applications_application", "LIMIT"),
    ("balances by campaign", "payments_feetotal", "GROUP BY"),
    ("campaign balances, last page", "payments_filebalance", "ORDER BY"),
    ("campaign balances owing, page 1", "payments_filebalance", "ORDER BY"),
]
SQL_SHOWN = 400


def shortened(sql: str) -> str:
    if len(sql) <= 2 * SQL_SHOWN:
        return sql
    return f"{sql[:SQL_SHOWN]} [...] {sql[-SQL_SHOWN:]}"


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="admissions-bench-") as var_dir:
        if args.throwaway_postgres:
            with throwaway_postgres() as url:
                run(args, var_dir, url)
        else:
            run(args, var_dir, args.database_url)


def run(args: argparse.Namespace, var_dir: str, database_url: str | None) -> None:
    setup_django(var_dir, database_url, staff_second_factor=False)
    from django.db import connection
    from django.test import Client

    from admissions.applications.models import Application
    from admissions.payments.models import LedgerEntry

    print(f"database: {connection.vendor}, applications: {args.applications}", flush=True)
    timed("migrate and load rulebooks", scale_data.catalogue)
    staff = create_staff()
    rng = random.Random(args.seed)
    generated = scale_data.generate(
        args.applications, rng, progress=lambda line: print(line, flush=True)
    )
    print(f"generated in {generated.seconds:.1f} s: {dict(generated.rows)}", flush=True)
    timed("analyse", analyse)
    print(
        f"rows: {Application.objects.count()} applications, "
        f"{LedgerEntry.objects.count()} ledger entries",
        flush=True,
    )
    print()
    print("| page | queries | requests timed | median ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    plans = {}
    for label, url, user in pages(staff):
        client = Client()
        client.force_login(user)
        # Middle and last pages share the first page's templates, already compiled.
        count, samples, sql = measure(client, url, warm_up="page 1" in label or "," not in label)
        median, p95 = statistics.median(samples), percentile_95(samples)
        print(f"| {label} | {count} | {len(samples)} | {median:.1f} | {p95:.1f} |", flush=True)
        for page, table, marker in EXPLAINED:
            if page == label:
                query = next(q for q in sql if table in q and marker in q)
                plans[f"{label}: {marker}"] = (query, explain(query))
    for label, (query, plan) in plans.items():
        print(f"\n### {label}\n\n```sql\n{shortened(query)}\n```\n\n```")
        print("\n".join(plan))
        print("```")


if __name__ == "__main__":
    main()
