"""A database of N applications in minutes: files, candidates, history, ledger, documents.

Rows are written straight to the tables, a chunk of files at a time: with COPY on
PostgreSQL (psycopg's `cursor.copy`), with `executemany` on SQLite. Nothing goes through
the services, so the totals the services keep as they go are written here, consistent with
the rows: the report's counts and each file's steps (from the history made here, with the
same `report_counts.count_move` a move calls), the files per programme and status
(`step_counts.rebuild`), the fee totals (`fee_totals.rebuild`) and the files' balances
(`file_balances.rebuild`). The id sequences and the reference numbers are moved past the
rows written, so the application goes on working on the database afterwards.

What is made, for N files (see bench/README.md):

- the two shipped rulebooks, each with copies of its programmes up to `PROGRAMMES` in all
  (`catalogue`), one campaign each;
- N / 3 candidates, three files each to three programmes of the same institution;
- each file at a status drawn from `STATUS_WEIGHTS`, its history along `PATHS` (created,
  then each move hours to weeks apart), the columns submission copies on the file (route,
  nationality, abroad, sort name);
- a submitted file's application fee: a charge, paid for `PAID_SHARE` of them, refunded for
  `REFUNDED_SHARE` of the paid ones;
- six documents per file, those holding a file with one version pointing at one of a few
  shared stored blobs (`BLOBS` small PDFs written once to the storage).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import tomli_w

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
RULEBOOKS = [
    ROOT / "src/admissions/rulebooks/imt-bs.toml",
    ROOT / "src/admissions/rulebooks/imt-nord-europe.toml",
]
PROGRAMMES = 60
APPLICATIONS_PER_CANDIDATE = 3
DOCUMENTS_PER_FILE = 6
BLOBS = 4
# Files written per round: every table's rows of a chunk are made, written, then dropped.
CHUNK = 10_000
# Share of each status among the files, roughly that of a campaign in full swing.
STATUS_WEIGHTS = {
    "draft": 12,
    "submitted": 18,
    "incomplete": 6,
    "complete": 10,
    "admissible": 5,
    "not_admissible": 8,
    "interview_scheduled": 4,
    "interviewed": 4,
    "on_agenda": 2,
    "admitted": 5,
    "admitted_conditionally": 2,
    "waitlisted": 3,
    "not_admitted": 7,
    "confirmed": 6,
    "confirmed_conditionally": 1,
    "declined": 2,
    "lapsed": 1,
    "withdrawn": 4,
}
FEE_CENTS = 15_000
PAID_SHARE = 0.85
REFUNDED_SHARE = 0.03
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
# Statuses whose documents the office has judged; before, they were only checked on arrival.
JUDGED = frozenset(PATHS) - {"draft", "submitted", "incomplete"}
FIRST_NAMES = ["Camille", "Léa", "Hugo", "Inès", "Lucas", "Chloé", "Nathan", "Sarah", "Yanis"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]


def catalogue(programmes: int = PROGRAMMES) -> None:
    """Migrate, then load the rulebooks (`load_rulebooks`)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load_rulebooks(programmes)


def load_rulebooks(programmes: int = PROGRAMMES) -> None:
    """The shipped rulebooks, their programmes copied up to `programmes` in all (half per
    institution), each copy a programme of its own in the rules and the catalogue."""
    from django.core.management import call_command

    with tempfile.TemporaryDirectory(prefix="admissions-bench-rulebooks-") as folder:
        paths = []
        for index, path in enumerate(RULEBOOKS):
            share = programmes // len(RULEBOOKS) + (index < programmes % len(RULEBOOKS))
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            data["programmes"] = widened(data["programmes"], share)
            target = Path(folder) / path.name
            target.write_text(tomli_w.dumps(data), encoding="utf-8")
            paths.append(str(target))
        call_command("load_rulebook", *paths, stdout=io.StringIO())


def widened(programmes: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    """`programmes` and numbered copies of them, `total` in all."""
    result = [dict(p) for p in programmes[:total]]
    copy = 2
    while len(result) < total:
        for original in programmes:
            if len(result) == total:
                break
            twin = dict(original)
            twin["slug"] = f"{original['slug']}-{copy}"
            twin["name"] = {lang: f"{name} ({copy})" for lang, name in original["name"].items()}
            result.append(twin)
        copy += 1
    return result


@dataclass
class Generated:
    """Rows written per table, and the report's totals as the history made them."""

    rows: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass(frozen=True)
class Place:
    """What a file of one programme needs from its campaign's rules."""

    campaign_id: int
    programme_id: int
    prefix: str
    digest: str
    tracks: tuple[str, ...]
    modes: dict[str, tuple[str, ...]]
    routes: tuple[str, ...]
    requirements: tuple[str, ...]


def places() -> list[Place]:
    from admissions.applications.choices import financing_modes_for
    from admissions.applications.reference import institution_code
    from admissions.catalog.models import Campaign, Programme

    campaigns = {c.institution_id: c for c in Campaign.objects.select_related("institution")}
    found = []
    for programme in Programme.objects.filter(is_active=True).order_by("pk"):
        campaign = campaigns.get(programme.institution_id)
        if campaign is None:
            continue
        rules = campaign.rules
        wanted = [
            r.code
            for r in rules.documents.requirements
            if r.formats and r.provided_by == "candidate" and r.condition == "always"
        ]
        others = [r.code for r in rules.documents.requirements if r.code not in wanted]
        tracks = tuple(programme.tracks)
        found.append(
            Place(
                campaign_id=campaign.pk,
                programme_id=programme.pk,
                prefix=f"{institution_code(campaign.institution.slug)}-{campaign.closes_on.year}",
                digest=campaign.rulebook_digest,
                tracks=tracks,
                modes={t: tuple(m.code for m in financing_modes_for(campaign, t)) for t in tracks},
                routes=tuple(route.code for route in rules.entry_routes),
                requirements=tuple((wanted + others)[:DOCUMENTS_PER_FILE]),
            )
        )
    return found


@dataclass(frozen=True)
class Blob:
    key: str
    size: int
    sha256: str


def store_blobs(count: int = BLOBS) -> list[Blob]:
    """A few small PDFs in the documents' storage, which every version points at."""
    from django.core.files.base import ContentFile

    from admissions.documents.storage import DOCUMENTS, storage

    blobs = []
    for index in range(count):
        body = pdf(f"Bench document {index + 1}")
        key = storage().save(f"{DOCUMENTS}/bench-shared-{index + 1}.pdf", ContentFile(body))
        blobs.append(Blob(key, len(body), hashlib.sha256(body).hexdigest()))
    return blobs


def pdf(text: str) -> bytes:
    """A one-page PDF showing `text`, with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class Table:
    """Rows of one model written in bulk: the columns given per row, then the others at
    their default (the moment of writing for `auto_now` dates), written as constants."""

    def __init__(self, model: type[Any], columns: Sequence[str], now: datetime) -> None:
        from django.db import connection
        from django.db.models import DateTimeField, JSONField

        self.vendor = connection.vendor
        self.table = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        missing = [c for c in columns if c not in by_attname]
        assert not missing, f"{self.table} has no {missing}"
        rest = [f for f in model._meta.concrete_fields if f.attname not in columns]
        constants: list[Any] = []
        for item in rest:
            if item.primary_key:
                continue
            if isinstance(item, DateTimeField) and (item.auto_now or item.auto_now_add):
                value: Any = now
            else:
                value = item.get_default()
            if isinstance(item, JSONField):
                value = json.dumps(value)
            elif isinstance(value, datetime):
                value = stamp(value, self.vendor)
            constants.append((item.column, value))
        self.columns = [by_attname[c].column for c in columns] + [c for c, _v in constants]
        self.constants = tuple(v for _c, v in constants)
        self.suffix = "".join("\t" + _text(v) for v in self.constants)

    def write(self, rows: list[tuple[Any, ...]]) -> int:
        from django.db import connection

        if not rows:
            return 0
        ops = connection.ops
        names = ", ".join(ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                sql = f"COPY {ops.quote_name(self.table)} ({names}) FROM STDIN"
                suffix = self.suffix + "\n"
                text = "".join(["\t".join(map(_text, row)) + suffix for row in rows])
                with cursor.cursor.copy(sql) as copy:
                    copy.write(text)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {ops.quote_name(self.table)} ({names}) VALUES ({marks})"  # noqa: S608 - names, not input
                constants = tuple(_sqlite(v) for v in self.constants)
                cursor.executemany(sql, [tuple(map(_sqlite, row)) + constants for row in rows])
        return len(rows)


def _text(value: Any) -> str:
    """A value in COPY's text format (none of the generated values holds a tab or newline)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _sqlite(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def stamp(moment: datetime, vendor: str) -> str:
    """A UTC moment as each database reads it: Django's naive UTC text on SQLite."""
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return f"{naive}+00" if vendor == "postgresql" else str(naive)


def next_ids(*models: type[Any]) -> list[int]:
    from django.db.models import Max

    return [(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for model in models]


def generate(
    total: int,
    rng: random.Random,
    *,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """Write `total` applications and everything that goes with them (see the module's
    docstring) in one transaction, then the kept totals and the sequences."""
    import time

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from admissions.applications import report_counts, step_counts
    from admissions.applications.funnel import FIRST_MASK, advance, keys_of
    from admissions.applications.models import Application, ApplicationEvent
    from admissions.applications.report_counts import FileKeys, Totals, count_move
    from admissions.documents.models import Document, DocumentVersion
    from admissions.payments import fee_totals, file_balances
    from admissions.payments.models import LedgerEntry
    from admissions.people.models import User

    started = time.perf_counter()
    say = progress or (lambda _text: None)
    vendor = connection.vendor
    now = datetime.now(UTC).replace(microsecond=0)
    where = places()
    by_institution: dict[str, list[Place]] = {}
    for place in where:
        by_institution.setdefault(place.prefix, []).append(place)
    groups = [group for group in by_institution.values() if group]
    assert all(len(group) >= APPLICATIONS_PER_CANDIDATE for group in groups), "few programmes"
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    blobs = store_blobs()
    password = make_password(None)
    user_id, file_id, document_id = next_ids(User, Application, Document)
    (version_id,) = next_ids(DocumentVersion)
    version_id = max(version_id, document_id)
    numbers: Counter[str] = Counter(existing_numbers({p.prefix for p in where}))
    users = Table(User, ["id", "email", "password", "first_name", "last_name", "date_joined"], now)
    files = Table(
        Application,
        [
            "id",
            "reference",
            "candidate_id",
            "campaign_id",
            "programme_id",
            "track",
            "financing_mode",
            "status",
            "created_at",
            "updated_at",
            "submitted_at",
            "status_changed_at",
            "rulebook_digest",
            "entry_route",
            "eu_national",
            "lives_abroad",
            "sort_name",
            "steps_reached",
            "step_reached_at",
        ],
        now,
    )
    events = Table(
        ApplicationEvent,
        ["application_id", "at", "action", "from_status", "to_status"],
        now,
    )
    entries = Table(
        LedgerEntry,
        ["application_id", "kind", "charge_kind", "amount_cents", "method", "created_at"],
        now,
    )
    documents = Table(
        Document,
        ["id", "application_id", "requirement_code", "state", "current_version_id", "created_at"],
        now,
    )
    versions = Table(
        DocumentVersion,
        [
            "id",
            "public_id",
            "document_id",
            "number",
            "file",
            "original_filename",
            "size",
            "sha256",
            "detected_type",
            "content_type",
            "page_count",
            "scan_status",
            "scanned_at",
            "created_at",
        ],
        now,
    )
    result = Generated()
    totals = Totals()
    start = now - timedelta(days=400)
    candidates = -(-total // APPLICATIONS_PER_CANDIDATE)

    def when(moment: datetime) -> str:
        return stamp(moment, vendor)

    tables = [users, files, events, entries, documents, versions]
    with transaction.atomic(), without_indexes(tables):
        for first in range(0, candidates, CHUNK // APPLICATIONS_PER_CANDIDATE):
            last = min(candidates, first + CHUNK // APPLICATIONS_PER_CANDIDATE)
            user_rows, file_rows, event_rows, entry_rows, document_rows, version_rows = (
                [],
                [],
                [],
                [],
                [],
                [],
            )
            for candidate in range(first, last):
                given, family = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                joined = start + timedelta(seconds=rng.randrange(60 * 86_400))
                uid = user_id + candidate
                user_rows.append(
                    (
                        uid,
                        f"candidate{uid}@bench.invalid",
                        password,
                        given,
                        family,
                        when(joined),
                    )
                )
                group = groups[candidate % len(groups)]
                offset = rng.randrange(len(group))
                sort_name = f"{family} {given}".lower()
                eu, abroad = rng.random() < 0.7, rng.random() < 0.2
                for turn in range(APPLICATIONS_PER_CANDIDATE):
                    index = candidate * APPLICATIONS_PER_CANDIDATE + turn
                    if index >= total:
                        break
                    place = group[(offset + turn) % len(group)]
                    pk = file_id + index
                    status = rng.choices(statuses, weights)[0]
                    track = rng.choice(place.tracks)
                    mode = place.modes[track][0] if place.modes[track] else ""
                    numbers[place.prefix] += 1
                    reference = f"{place.prefix}-{numbers[place.prefix]:06d}"
                    created = joined + timedelta(hours=rng.randrange(1, 24 * 30))
                    path = PATHS[status]
                    draft = not path
                    route = "" if draft else rng.choice(place.routes)
                    keys = FileKeys(
                        place.campaign_id,
                        place.programme_id,
                        keys_of(
                            entry_route=route,
                            eu_national=None if draft else eu,
                            lives_abroad=None if draft else abroad,
                            financing=mode,
                            track=track,
                        ),
                    )
                    where_key = (place.campaign_id, place.programme_id)
                    totals.funnel[(*where_key, "drafts", "", "")] += 1
                    event_rows.append((pk, when(created), "application.created", "", "draft"))
                    mask, since, moment, before = FIRST_MASK, created, created, "draft"
                    submitted = None
                    for after in path:
                        moment += timedelta(hours=rng.randrange(6, 24 * 40))
                        if after == "submitted":
                            submitted = moment
                        step = advance(mask, since, after, moment)
                        count_move(totals, keys, before, after, step)
                        mask, since = step.mask, step.since
                        event_rows.append(
                            (pk, when(moment), f"application.to_{after}", before, after)
                        )
                        before = after
                    file_rows.append(
                        (
                            pk,
                            reference,
                            uid,
                            place.campaign_id,
                            place.programme_id,
                            track,
                            mode,
                            status,
                            when(created),
                            when(moment),
                            None if submitted is None else when(submitted),
                            when(moment),
                            "" if draft else place.digest,
                            route,
                            None if draft else eu,
                            None if draft else abroad,
                            "" if draft else sort_name,
                            mask,
                            when(since),
                        )
                    )
                    if submitted is not None:
                        paid_at = when(submitted - timedelta(minutes=5))
                        entry_rows.append((pk, "charge", "application_fee", FEE_CENTS, "", paid_at))
                        if rng.random() < PAID_SHARE:
                            entry_rows.append(
                                (pk, "payment", "application_fee", FEE_CENTS, "card", paid_at)
                            )
                            if rng.random() < REFUNDED_SHARE:
                                entry_rows.append(
                                    (pk, "refund", "application_fee", FEE_CENTS, "", when(moment))
                                )
                    with_file = 3 if draft else 5 if status == "incomplete" else 6
                    state = "accepted_by_staff" if status in JUDGED else "accepted_on_arrival"
                    uploaded = when(created + timedelta(hours=1))
                    for slot, code in enumerate(place.requirements):
                        did = document_id + index * DOCUMENTS_PER_FILE + slot
                        if slot >= with_file:
                            document_rows.append((did, pk, code, "missing", None, when(created)))
                            continue
                        vid = version_id + index * DOCUMENTS_PER_FILE + slot
                        blob = blobs[did % len(blobs)]
                        document_rows.append((did, pk, code, state, vid, when(created)))
                        version_rows.append(
                            (
                                vid,
                                f"{rng.getrandbits(128):032x}",
                                did,
                                1,
                                blob.key,
                                f"{code}.pdf",
                                blob.size,
                                blob.sha256,
                                "pdf",
                                "application/pdf",
                                1,
                                "clean",
                                uploaded,
                                uploaded,
                            )
                        )
            result.rows["users"] += users.write(user_rows)
            result.rows["applications"] += files.write(file_rows)
            result.rows["history lines"] += events.write(event_rows)
            result.rows["ledger entries"] += entries.write(entry_rows)
            # Versions first: a document names its current version (checked at commit anyway).
            result.rows["document versions"] += versions.write(version_rows)
            result.rows["documents"] += documents.write(document_rows)
            say(f"{result.rows['applications']} applications written")
        say("indexes and constraints being built")
    with transaction.atomic():
        set_numbers(numbers)
        reset_sequences([User, Application, Document, DocumentVersion, ApplicationEvent])
        result.rows["report counts"] = report_counts.replace(totals)
        result.rows["step counts"] = step_counts.rebuild()
        result.rows["fee totals"] = fee_totals.rebuild()
        result.rows["file balances"] = file_balances.rebuild()
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def without_indexes(tables: Sequence[Table]) -> Iterator[None]:
    """On PostgreSQL, the tables' indexes and their unique and foreign-key constraints
    dropped while rows are copied in, then made again: one sort per index and one join per
    foreign key, instead of a b-tree insertion per index and a check per row (most of the
    time of a load). Their names and definitions are those PostgreSQL reports, so they come
    back as the migrations made them. Primary keys stay. On SQLite, nothing changes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    names = [table.table for table in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u') "
            "ORDER BY contype = 'f' DESC",
            [names],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s) AND NOT indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid)",
            [names],
        )
        indexes = cursor.fetchall()
        # A table with foreign-key checks still waiting for the commit cannot be altered:
        # the checks of this transaction's earlier writes are made now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition, _kind in constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        # Unique constraints before the foreign keys (reversed: they were listed first).
        for table, name, definition, _kind in reversed(constraints):
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def existing_numbers(prefixes: set[str]) -> dict[str, int]:
    """The last reference number of each prefix taken so far."""
    from admissions.applications.models import Application

    found: dict[str, int] = {}
    for prefix in prefixes:
        last = (
            Application.objects.filter(reference__startswith=f"{prefix}-")
            .order_by("-reference")
            .values_list("reference", flat=True)
            .first()
        )
        found[prefix] = int(last.rsplit("-", 1)[1]) if last else 0
    return found


def set_numbers(numbers: Counter[str]) -> None:
    """The reference sequences moved past the numbers given: `core.sequences` starts a
    PostgreSQL sequence after its counter's value, and moves an existing one here."""
    from django.db import connection

    from admissions.core.models import Counter as Numbering
    from admissions.core.sequences import sequence_name

    for prefix, last in numbers.items():
        key = f"application-reference:{prefix}"
        Numbering.objects.update_or_create(key=key, defaults={"value": last})
        if connection.vendor != "postgresql":
            continue
        name = sequence_name(key)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = %s", [name])
            if cursor.fetchone() is not None:
                sql = f"SELECT setval(%s, GREATEST(%s, last_value)) FROM {name}"  # noqa: S608 - a sequence's name
                cursor.execute(sql, [name, last])


def reset_sequences(models: list[type[Any]]) -> None:
    """PostgreSQL's id sequences after the largest id written (SQLite needs nothing)."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
