"""What the candidate's status page shows, read back as one row: the page's version.

The status page is kept rendered (`portal/status_cache.py`) under a version that is read from
the data on every request, never bumped by the services that change a file: a service that
forgets a signal cannot leave a stale page behind. The row holds, for the candidate's own
file (no row: not theirs, a 404):

- every column of the file itself (status, rank on the waiting list, financing mode...);
- the columns of its campaign (dates, rulebook digest), programme and institution, except
  the rulebooks' JSON, which the digest stands for; the extensions of the campaign's
  deadlines (how many, the last one);
- every column of the candidate's profile, and their diplomas and jobs (how many, the last
  one, the last change): the visa steps and the checklist of an admitted file read them;
- the last event of its history, the last ledger entry (charges, payments, refunds,
  reversals: the fee, the confirmation's amounts), the last message and the candidate's
  read mark (the unread count of the file's menu);
- its documents (how many, the last one, the last change of any of them, the last state
  change, the last current version) and their versions (the last one, the last scan);
- its international file (Campus France number, visa outcome);
- on the waiting list, the files ahead of it (the place in line depends on other files).

Rows that are only ever added (events, entries, messages, versions) are followed by their
highest id; rows that change by their count, highest id and change times. The values taken
from one table are read by one subquery, as one `Record`: PostgreSQL sets up every subquery
of a prepared statement on each run, even one a file never reaches (the waiting list's), and
that set-up, not the reading, was most of the statement's cost (bench/RESULTS.md, eleventh
round). What depends on
the time (deadlines passing, the confirmation window, the funding date) is not in the data:
the page's cache entry says until when it holds (`status_cache.valid_until`).

The row's values are not sent to the worker one by one (about 120 columns, each a Python
object, SQLite's dates parsed by Django's converters, then pickled): the database writes
them into one value, `Fingerprint`, which the worker digests. Each value is written so that
two different rows never give the same text (SQLite's `quote()` of each column, separated by
commas; PostgreSQL's text of the row as a record, which quotes and escapes as needed to be
read back), and PostgreSQL sends the SHA-256 of that text rather than the text.

The query is compiled once per process and database, then run with the request's user and
reference: a hit costs this one query and no ORM work. `TABLES` names every table it
follows; a test renders pages of files at every stage and fails if the page reads another.
A draft's page is not kept: a draft changes with every save anyway.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import (
    BigIntegerField,
    BinaryField,
    Case,
    Count,
    F,
    Func,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.sql.compiler import SQLCompiler

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, DeadlineExtension, Institution, Programme
from admissions.core.prepared import Statement
from admissions.documents.models import Document, DocumentVersion
from admissions.payments.models import LedgerEntry
from admissions.people.models import CandidateProfile, Education, WorkPeriod
from admissions.workflow.models import InternationalFile, Message, MessageReadMark

# The tables the version follows: every table the status page reads (tested).
TABLES = frozenset(
    model._meta.db_table
    for model in (
        Application,
        ApplicationEvent,
        Campaign,
        Programme,
        Institution,
        DeadlineExtension,
        CandidateProfile,
        Education,
        WorkPeriod,
        LedgerEntry,
        Message,
        MessageReadMark,
        Document,
        DocumentVersion,
        InternationalFile,
    )
)
# Compiled with these in place of the request's user and reference, then swapped.
_USER = -7_391_245_611
REFERENCE = "\x00status-version-reference\x00"


def _columns(model: type[Model], prefix: str = "") -> list[str]:
    # A rulebook's JSON is followed by its digest, a column of the same row.
    return [
        prefix + field.attname
        for field in model._meta.concrete_fields
        if field.attname != "rulebook"
    ]


class Record(Func):
    """The values of its expressions as one value, each still told apart: PostgreSQL's row
    (a record, whose text quotes and escapes each value as needed to be read back); on
    SQLite, each value quoted (text between quotes, its own quotes doubled; numbers, NULL and
    blobs as SQL literals) and separated by commas, which never stand outside quotes but
    between two values. A record among a fingerprint's values is written into it the same
    way: quoted as a whole."""

    output_field = BinaryField()

    def _parts(self, compiler: SQLCompiler, connection: Any) -> tuple[list[str], list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        for expression in self.get_source_expressions():
            sql, values = compiler.compile(expression)
            parts.append(sql)
            params.extend(values)
        return parts, params

    def as_sql(self, compiler: SQLCompiler, connection: Any, *args: Any, **extra: Any) -> Any:
        raise NotImplementedError(f"no record written for {connection.vendor}")

    def as_sqlite(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Any:
        parts, params = self._parts(compiler, connection)
        return " || ',' || ".join(f"quote({part})" for part in parts), params

    def as_postgresql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Any:
        parts, params = self._parts(compiler, connection)
        return f"ROW({', '.join(parts)})", params


class Fingerprint(Record):
    """Every value of its expressions written into one, by the database: two rows that differ
    in any value give different fingerprints. SQLite's is the record's text; PostgreSQL's the
    SHA-256 of it."""

    def as_postgresql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> Any:
        row, params = super().as_postgresql(compiler, connection, **extra)
        return f"sha256(convert_to({row}::text, 'UTF8'))", params


def _scalar(queryset: QuerySet[Any], value: Any) -> Subquery:
    """One aggregate of the rows of `queryset` (already correlated to the file)."""
    return Subquery(
        queryset.order_by().values(group=Value(1)).annotate(value=value).values("value")[:1]
    )


def _highest_id() -> Max:
    """The highest id of the rows of one file. Written `id + 0`: on a bare `MAX(id)`
    PostgreSQL walks the whole table's primary key backwards until it meets one of the
    file's rows (as many rows as were added since the file's last one); this way it reads
    the file's rows by its foreign key's index."""
    return Max(F("pk") + 0, output_field=BigIntegerField())


def _ahead_on_waiting_list() -> Case:
    """The files ahead of this one on its programme's waiting list, counted only for a
    waiting file (the counts the place in line is made of), in one pass over the line
    (`application_waiting_line`: the line's files in their order)."""
    line = Application.objects.filter(
        programme_id=OuterRef("programme_id"),
        campaign_id=OuterRef("campaign_id"),
        status=Status.WAITLISTED,
    )
    ranked_before = Q(waitlist_rank__lt=OuterRef("waitlist_rank")) | Q(
        waitlist_rank=OuterRef("waitlist_rank"), pk__lt=OuterRef("pk")
    )
    unranked_before = Q(waitlist_rank__isnull=True, pk__lt=OuterRef("pk"))
    counts = Record(
        Count("pk", filter=ranked_before),
        Count("pk", filter=unranked_before),
        Count("pk", filter=Q(waitlist_rank__isnull=False)),
    )
    return Case(
        When(status=Status.WAITLISTED, then=_scalar(line, counts)),
        default=Value(None),
        output_field=BinaryField(),
    )


def _fingerprint() -> Fingerprint:
    """The file's row and what the page shows of its other rows, as one value."""
    documents = Document.objects.filter(application_id=OuterRef("pk"))
    # The profile joined by the file's row already: its diplomas and jobs by its key.
    diplomas = Education.objects.filter(profile_id=OuterRef("candidate__profile__id"))
    jobs = WorkPeriod.objects.filter(profile_id=OuterRef("candidate__profile__id"))
    extensions = DeadlineExtension.objects.filter(campaign_id=OuterRef("campaign_id"))
    versions = DocumentVersion.objects.filter(document__application_id=OuterRef("pk"))
    columns = [
        *_columns(Application),
        *_columns(Campaign, "campaign__"),
        *_columns(Programme, "programme__"),
        *_columns(Institution, "campaign__institution__"),
        *_columns(CandidateProfile, "candidate__profile__"),
        *[c for c in _columns(InternationalFile, "international__") if c != "international__id"],
    ]
    values: list[Any] = [
        *(F(column) for column in columns),
        _scalar(ApplicationEvent.objects.filter(application_id=OuterRef("pk")), _highest_id()),
        _scalar(LedgerEntry.objects.filter(application_id=OuterRef("pk")), _highest_id()),
        _scalar(Message.objects.filter(application_id=OuterRef("pk")), _highest_id()),
        _scalar(
            MessageReadMark.objects.filter(
                application_id=OuterRef("pk"), user_id=OuterRef("candidate_id")
            ),
            Max("last_message_id"),
        ),
        _scalar(
            documents,
            Record(
                Count("pk"),
                Max("pk"),
                Max("updated_at"),
                Max("state_changed_at"),
                Max("current_version_id"),
            ),
        ),
        _scalar(versions, Record(Max("pk"), Max("scanned_at"))),
        _scalar(diplomas, Record(Count("pk"), Max("pk"), Max("updated_at"))),
        _scalar(jobs, Record(Count("pk"), Max("pk"), Max("updated_at"))),
        _scalar(extensions, Record(Count("pk"), Max("pk"))),
        _ahead_on_waiting_list(),
    ]
    return Fingerprint(*values)


def _queryset(user_id: int, reference: str) -> QuerySet[Application]:
    found = Application.objects.filter(candidate_id=user_id, reference=reference).order_by()
    return found.values_list(_fingerprint(), F("status"))


def version_subquery(user: Any) -> Subquery:
    """The fingerprint of the candidate's own file as a scalar subquery, `user` an expression
    of their key (the session's user column), `REFERENCE` in place of the file's reference:
    empty when there is no such file of theirs, and for a draft (whose page is not kept).
    `digest` of it is the version `status_version` gives."""
    found = Application.objects.filter(candidate_id=user, reference=REFERENCE).order_by()
    # A draft told apart in the value, not the condition: SQLite runs the version's
    # subqueries ten times slower with `NOT status = 'draft'` among the conditions.
    fingerprint = Case(
        When(status=Status.DRAFT, then=Value(None)),
        default=_fingerprint(),
        output_field=BinaryField(),
    )
    return Subquery(found.values_list(fingerprint)[:1], output_field=BinaryField())


def digest(fingerprint: Any) -> str:
    """The version of a fingerprint, as the database sent it."""
    if isinstance(fingerprint, str):
        fingerprint = fingerprint.encode()
    return hashlib.blake2b(bytes(fingerprint), digest_size=16).hexdigest()


_compiled: dict[str, Statement] = {}


def _statement(alias: str) -> Statement:
    found = _compiled.get(alias)
    if found is None:
        queryset = _queryset(_USER, REFERENCE)
        found = _compiled[alias] = Statement.of(queryset, [_USER, REFERENCE], alias)
    return found


def compiled_sql(using: str = "default") -> str:
    """The version's query as it runs (for the tests that check what it follows)."""
    return _statement(using).sql


def status_version(
    user_id: int, reference: str, *, using: str = "default"
) -> tuple[str, str] | None:
    """(the version, the file's status) of the candidate's own file, or None if there is no
    such file of theirs."""
    row = _statement(using).fetchone([user_id, reference], using)
    if row is None:
        return None
    fingerprint, status = row
    return digest(fingerprint), str(status)
