"""The report's kept totals: files per step reached and breakdown, days spent per step,
moves of the waiting list; per campaign and programme.

`history.transition` and `transition_many` call `moved` inside the move's transaction, so a
move rolled back counts nothing; `workflow.drafts.create_application` calls `created`. Each
call writes its counters in one statement (an INSERT that adds to the row already there), so
a report reads a few hundred rows per programme however many files it has. `recount` finds
the same totals again from the history, which `rebuild` writes back (`manage.py
rebuild_report_counts`), with each file's steps reached.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from admissions.applications.funnel import (
    BIT,
    DIMENSIONS,
    FIRST_MASK,
    Advance,
    Step,
    advance,
    bucket_of,
    keys_of,
)
from admissions.applications.lifecycle import Status
from admissions.applications.models import (
    Application,
    ApplicationEvent,
    FunnelCount,
    StepDuration,
    WaitlistMove,
)
from admissions.core.kept_counts import add_up

# (campaign, programme, step, dimension, value)
FunnelKey = tuple[int, int, str, str, str]
# (campaign, programme, step, bucket)
DurationKey = tuple[int, int, str, int]
# (campaign, programme, from, to)
WaitlistKey = tuple[int, int, str, str]


@dataclass
class Totals:
    funnel: Counter[FunnelKey] = field(default_factory=Counter)
    durations: Counter[DurationKey] = field(default_factory=Counter)
    waitlist: Counter[WaitlistKey] = field(default_factory=Counter)

    def as_dicts(
        self,
    ) -> tuple[dict[FunnelKey, int], dict[DurationKey, int], dict[WaitlistKey, int]]:
        return (
            {k: v for k, v in self.funnel.items() if v},
            {k: v for k, v in self.durations.items() if v},
            {k: v for k, v in self.waitlist.items() if v},
        )


@dataclass(frozen=True)
class FileKeys:
    """What the counters of one file are keyed by."""

    campaign_id: int
    programme_id: int
    keys: dict[str, str]


def file_keys(application: Application) -> FileKeys:
    return FileKeys(
        application.campaign_id,
        application.programme_id,
        keys_of(
            entry_route=application.entry_route,
            eu_national=application.eu_national,
            lives_abroad=application.lives_abroad,
            financing=application.financing_mode,
            track=application.track,
        ),
    )


# The columns `file_keys` reads, for callers that read rows as values.
KEY_COLUMNS = (
    "campaign_id",
    "programme_id",
    "entry_route",
    "eu_national",
    "lives_abroad",
    "financing_mode",
    "track",
)


def keys_from_values(values: tuple[object, ...]) -> FileKeys:
    campaign_id, programme_id, route, eu, abroad, financing, track = values
    return FileKeys(
        int(campaign_id),  # type: ignore[call-overload]
        int(programme_id),  # type: ignore[call-overload]
        keys_of(
            entry_route=str(route or ""),
            eu_national=eu if isinstance(eu, bool) else None,
            lives_abroad=abroad if isinstance(abroad, bool) else None,
            financing=str(financing or ""),
            track=str(track or ""),
        ),
    )


_VALUES = {step: step.value for step in Step}


def count_move(
    totals: Totals, file: FileKeys, from_status: str, to_status: str, step: Advance
) -> None:
    """Add one move's effect to `totals` (shared by the kept counts and the recount)."""
    campaign, programme = file.campaign_id, file.programme_id
    funnel, keys = totals.funnel, file.keys
    for reached in step.reached:
        # The plain value, read from a dict: an enum's `.value` costs a descriptor call, and
        # a rebuild makes millions of these keys.
        value = _VALUES[reached]
        funnel[(campaign, programme, value, "", "")] += 1
        if reached is not Step.DRAFTS:
            for dimension in DIMENSIONS:
                funnel[(campaign, programme, value, dimension, keys[dimension])] += 1
    if step.left is not None:
        totals.durations[(campaign, programme, _VALUES[step.left], bucket_of(step.days))] += 1
    if from_status != to_status and Status.WAITLISTED in (from_status, to_status):
        totals.waitlist[(campaign, programme, from_status, to_status)] += 1


FUNNEL_KEYS = ("campaign", "programme", "step", "dimension", "value")
DURATION_KEYS = ("campaign", "programme", "step", "bucket")
WAITLIST_KEYS = ("campaign", "programme", "from_status", "to_status")


def write(totals: Totals) -> None:
    funnel, durations, waitlist = totals.as_dicts()
    add_up(FunnelCount, FUNNEL_KEYS, {key: (n,) for key, n in funnel.items()})
    add_up(StepDuration, DURATION_KEYS, {key: (n,) for key, n in durations.items()})
    add_up(WaitlistMove, WAITLIST_KEYS, {key: (n,) for key, n in waitlist.items()})


def created(application: Application) -> None:
    """A draft was opened: it reached the first step."""
    totals = Totals()
    totals.funnel[
        (application.campaign_id, application.programme_id, Step.DRAFTS.value, "", "")
    ] += 1
    write(totals)


def moved(application: Application, from_status: str, to_status: str, step: Advance) -> None:
    """One file moved (its row as read under lock, with its breakdown columns)."""
    totals = Totals()
    count_move(totals, file_keys(application), from_status, to_status, step)
    write(totals)


def moved_many(moves: Iterable[tuple[FileKeys, str, str, Advance]]) -> None:
    totals = Totals()
    for keys, from_status, to_status, step in moves:
        count_move(totals, keys, from_status, to_status, step)
    write(totals)


@dataclass(frozen=True)
class Reached:
    """A file's steps and the moment of its furthest, as the history tells them."""

    mask: int
    since: dt.datetime


CHUNK = 5000


def _events() -> Iterator[tuple[int, str, str, dt.datetime]]:
    rows = (
        ApplicationEvent.objects.exclude(to_status="")
        .order_by("application_id", "at", "id")
        .values_list("application_id", "from_status", "to_status", "at")
    )
    yield from rows.iterator(chunk_size=CHUNK)


def recount(*, programme_ids: Iterable[int] | None = None) -> tuple[Totals, dict[int, Reached]]:
    """The report's totals and each file's steps, found again from the files' history.

    Walks the files in id order beside their history in the same order, a chunk at a time:
    memory grows with the number of files only by the steps kept per file.
    """
    totals = Totals()
    reached: dict[int, Reached] = {}
    files = Application.objects.order_by("pk")
    if programme_ids is not None:
        files = files.filter(programme_id__in=list(programme_ids))
    events = _events()
    pending = next(events, None)
    for pk, created_at, *columns in files.values_list("pk", "created_at", *KEY_COLUMNS).iterator(
        chunk_size=CHUNK
    ):
        keys = keys_from_values(tuple(columns))
        totals.funnel[(keys.campaign_id, keys.programme_id, Step.DRAFTS.value, "", "")] += 1
        mask, since = FIRST_MASK, created_at
        while pending is not None and pending[0] < pk:
            pending = next(events, None)
        while pending is not None and pending[0] == pk:
            _pk, from_status, to_status, at = pending
            if to_status == Status.DRAFT and not from_status:
                since = at  # the file's creation, as its history dates it
            else:
                step = advance(mask, since, to_status, at)
                count_move(totals, keys, from_status, to_status, step)
                mask, since = step.mask, step.since
            pending = next(events, None)
        reached[pk] = Reached(mask, since)
    return totals, reached


def kept() -> Totals:
    totals = Totals()
    for *key, n in FunnelCount.objects.values_list(*FUNNEL_KEYS, "files"):
        totals.funnel[tuple(key)] += n
    for *key, n in StepDuration.objects.values_list(*DURATION_KEYS, "files"):
        totals.durations[tuple(key)] += n
    for *key, n in WaitlistMove.objects.values_list(*WAITLIST_KEYS, "files"):
        totals.waitlist[tuple(key)] += n
    return totals


def rebuild() -> int:
    """Write the totals and the files' steps again from the history; returns the rows kept.

    Run it where files were written without `transition` (imports, generated data); on a
    live site, when no file moves (a move during the rebuild may be counted twice or not).
    """
    totals, reached = recount()
    with transaction.atomic():
        made = replace(totals)
        _write_reached(reached)
    return made


def replace(totals: Totals) -> int:
    """Put `totals` in the place of the kept ones; returns the rows written."""
    funnel, durations, waitlist = totals.as_dicts()
    with transaction.atomic():
        FunnelCount.objects.all().delete()
        StepDuration.objects.all().delete()
        WaitlistMove.objects.all().delete()
        made = len(
            FunnelCount.objects.bulk_create(
                [FunnelCount(**_fields(FUNNEL_KEYS, k), files=n) for k, n in funnel.items()],
                batch_size=1000,
            )
        )
        made += len(
            StepDuration.objects.bulk_create(
                [StepDuration(**_fields(DURATION_KEYS, k), files=n) for k, n in durations.items()],
                batch_size=1000,
            )
        )
        made += len(
            WaitlistMove.objects.bulk_create(
                [WaitlistMove(**_fields(WAITLIST_KEYS, k), files=n) for k, n in waitlist.items()],
                batch_size=1000,
            )
        )
    return made


def _fields(keys: tuple[str, ...], key: tuple[object, ...]) -> dict[str, Any]:
    """A counter's fields from its key (the foreign keys given as ids)."""
    names = [f"{name}_id" if name in ("campaign", "programme") else name for name in keys]
    return dict(zip(names, key, strict=True))


# Rows per UPDATE of `_write_reached`: 3 parameters each, well under SQLite's 32,766.
REACHED_CHUNK = 2000


def _column(name: str) -> str:
    column = getattr(Application._meta.get_field(name), "column", None)
    assert isinstance(column, str), name
    return connection.ops.quote_name(column)


def _write_reached(reached: dict[int, Reached]) -> None:
    """Each file's steps on its row, where they differ from what the row holds.

    One UPDATE joined to a VALUES list per chunk of files, which the database compares and
    writes itself: reading each row back and saving it through the ORM cost a round trip
    and an UPDATE per file, most of the rebuild's time at a million files.
    """
    ops = connection.ops
    table = ops.quote_name(Application._meta.db_table)
    mask, since, pk_column = (_column(n) for n in ("steps_reached", "step_reached_at", "id"))
    # Typed once on PostgreSQL, whose VALUES list would otherwise guess from the first row.
    cast = "::timestamptz" if connection.vendor == "postgresql" else ""
    ids = sorted(reached)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), REACHED_CHUNK):
            chunk = ids[start : start + REACHED_CHUNK]
            marks = ", ".join(["(%s, %s, %s)"] * len(chunk))
            if cast:
                marks = marks.replace("%s)", f"%s{cast})")
            params: list[Any] = []
            for pk in chunk:
                found = reached[pk]
                params += [pk, found.mask, ops.adapt_datetimefield_value(found.since)]
            cursor.execute(
                f"UPDATE {table} SET {mask} = v.column2, {since} = v.column3 "  # noqa: S608 - names, not input
                f"FROM (VALUES {marks}) AS v "
                f"WHERE {table}.{pk_column} = v.column1 "
                f"AND ({table}.{mask} <> v.column2 OR {table}.{since} <> v.column3)",
                params,
            )


__all__ = [
    "BIT",
    "Totals",
    "created",
    "kept",
    "moved",
    "moved_many",
    "rebuild",
    "recount",
    "replace",
]
