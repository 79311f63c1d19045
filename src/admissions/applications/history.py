"""Writing the history of a file and moving it through its life cycle."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model, Subquery
from django.utils import timezone

from admissions.applications import report_counts, step_counts
from admissions.applications.funnel import advance
from admissions.applications.lifecycle import MOVES, SUBMITTED_STATUSES, Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.signals import Moved, status_changed, statuses_changed
from admissions.catalog.models import Campaign, Programme
from admissions.core import compiled, kept_counts
from admissions.core.deferred_writes import DeferredWrites
from admissions.core.errors import IllegalTransition
from admissions.people.models import User

logger = logging.getLogger(__name__)


def record_event(
    application: Application,
    *,
    action: str,
    by: User | None,
    details: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
) -> ApplicationEvent:
    event = ApplicationEvent(
        application=application,
        actor=by,
        action=action,
        from_status=from_status,
        to_status=to_status,
        details=details or {},
    )
    # The INSERT `create` runs, compiled once per process: every upload writes a line.
    compiled.insert(event)
    return event


@dataclass(frozen=True)
class _Line:
    """A history line of a `Batch`: its file's id is read when the line is written (the file
    may be written in the same batch)."""

    application: Application
    actor: User | None
    action: str
    from_status: str
    to_status: str
    details: dict[str, Any]

    def values(self, at: dt.datetime) -> dict[str, Any]:
        if self.application.pk is None:
            raise ValueError("a history line's file is written before it")
        return {
            "application_id": self.application.pk,
            "at": at,
            "actor_id": None if self.actor is None else self.actor.pk,
            "action": self.action,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "details": self.details,
        }

    def event(self) -> ApplicationEvent:
        return ApplicationEvent(
            application=self.application,
            actor=self.actor,
            action=self.action,
            from_status=self.from_status,
            to_status=self.to_status,
            details=self.details,
        )


@dataclass
class Batch:
    """History lines and kept totals that a service writes at the end of its transaction.

    The lines go in one INSERT; the totals (`report_counts`, `fee_totals`: rows shared by
    every file of a programme, which PostgreSQL holds locked from their write to the
    commit) are written last, so that other transactions wait on them the least. Nothing
    of these is read back (the lines' ids stay unset): with `writes` (other rows the
    service left there, a queued task's), they are sent together, on PostgreSQL in one
    round trip (`core.deferred_writes`). A total that reads kept rows must not follow one
    that writes them in the same batch: it would not see that write.

    A service that takes its new rows' ids ahead (`sequences.next_numbers_and_ids`) gives
    them as `ahead`: `insert` then leaves those rows to the batch too, and everything may be
    made before the transaction (`prepare`), which then only sends it (`write`). Ids that the
    transaction takes itself (`sequences.TakenInTransaction`) are given as their stand-ins,
    with `writes.fill`: the rows inserted hold the values taken once written.
    """

    events: list[_Line] = field(default_factory=list)
    totals: list[Callable[[], None]] = field(default_factory=list)
    writes: DeferredWrites = field(default_factory=DeferredWrites)
    ahead: dict[type[Model], int] = field(default_factory=dict)
    rows: list[Model] = field(default_factory=list)

    def insert(self, obj: Model) -> None:
        """Write the new row `obj`: with the batch's writes, under the id taken ahead for its
        model (once), or else now (`compiled.insert`, in the transaction), its id read back."""
        key = self.ahead.pop(type(obj), None)
        statement = None
        if key is not None:
            obj.pk = key
            statement = compiled.insert_statement([obj], using=self.writes.using, keyed=True)
        if statement is None:
            compiled.insert(obj, using=self.writes.using)
            return
        self.writes.add(*statement)
        self.rows.append(obj)

    def event(
        self,
        application: Application,
        *,
        action: str,
        by: User | None,
        details: dict[str, Any] | None = None,
        from_status: str = "",
        to_status: str = "",
    ) -> None:
        self.events.append(_Line(application, by, action, from_status, to_status, details or {}))

    def total(self, write: Callable[[], None]) -> None:
        self.totals.append(write)

    def prepare(self) -> bool:
        """Make the history lines' statement and the totals' (ahead of the transaction, for
        totals that read nothing), for `write` to send. False, with nothing made, where the
        lines are too many for a statement of their own (`compiled.MANY`): `write` then
        writes them through `bulk_create`, in the transaction."""
        if self.events:
            # The INSERT `bulk_create` runs, compiled once per count of lines, from the
            # lines' values (no model instance each), all of this moment.
            at = timezone.now()
            lines = compiled.values_statement(
                ApplicationEvent,
                [line.values(at) for line in self.events],
                using=self.writes.using,
            )
            if lines is None:
                return False
            self.writes.add(*lines)
            self.events = []
        totals, self.totals = self.totals, []
        with kept_counts.deferred_into(self.writes):
            for write in totals:
                write()
        return True

    def write(self) -> None:
        if not self.prepare():
            self.writes.run()
            compiled.insert_many([line.event() for line in self.events])
            self.events = []
            self.prepare()
        self.writes.run()
        self._written()

    def write_alone(self) -> None:
        """`write`, as a transaction of its own, from outside any: on PostgreSQL one query
        (`DeferredWrites.run_alone`)."""
        if not self.prepare():
            with transaction.atomic(using=self.writes.using):
                self.write()
            return
        self.writes.run_alone()
        self._written()

    def _written(self) -> None:
        rows, self.rows = self.rows, []
        filled = self.writes.filled
        for obj in rows:
            obj._state.adding = False
            obj._state.db = self.writes.using
            if filled:
                # The rows made with stand-ins (`DeferredWrites.fill`) hold what was written.
                for column in obj._meta.concrete_fields:
                    value = getattr(obj, column.attname)
                    if type(value) in (int, str) and value in filled:
                        setattr(obj, column.attname, filled[value])


EVENT_COLUMNS = (
    "application_id",
    "at",
    "actor_id",
    "action",
    "from_status",
    "to_status",
    "details",
)


def record_events(events: Sequence[ApplicationEvent]) -> None:
    """Many history rows at once (work done in bulk), all at this moment.

    The rows are written with one prepared INSERT run for each of them (`executemany`):
    tens of thousands of rows (a jury's publication) would spend most of their time in the
    ORM's preparation of each value otherwise. The values are adapted as the fields would.
    """
    if not events:
        return
    ops = connection.ops
    at = ops.adapt_datetimefield_value(timezone.now())
    quote = ops.quote_name
    table = quote(ApplicationEvent._meta.db_table)
    columns = ", ".join(quote(column) for column in EVENT_COLUMNS)
    marks = ", ".join(["%s"] * len(EVENT_COLUMNS))
    rows = [
        (
            event.application_id,
            at,
            event.actor_id,
            event.action,
            event.from_status,
            event.to_status,
            ops.adapt_json_value(event.details or {}, None),
        )
        for event in events
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608 - names, not input


def transition(
    application: Application,
    *,
    action: str,
    by: User | None,
    details: dict[str, Any] | None = None,
) -> Application:
    """Apply one move of the life cycle to a locked, freshly read row, and record it.

    Returns the updated application. Raises IllegalTransition when the table has no such
    move from the current status. Callers wrap business checks and this in one transaction.
    """
    move = MOVES.get(action)
    if move is None:
        raise IllegalTransition(f"Unknown action {action!r}")
    programme_id = application.programme_id or (
        Application.objects.values_list("programme_id", flat=True).get(pk=application.pk)
    )
    with transaction.atomic():
        # The programme's row before the file's, as the moves of places take them, so that
        # the programme's step counts are written in that same order (no deadlock).
        list(Programme.objects.select_for_update(no_key=True).filter(pk=programme_id).values("pk"))
        locked = Application.objects.select_for_update().get(pk=application.pk)
        current = Status(locked.status)
        if current not in move.sources:
            raise IllegalTransition(
                f"Cannot {action.replace('_', ' ')} a file that is {current.label}",
                details={"from": current.value, "action": action},
            )
        now = timezone.now()
        locked.status = move.target
        locked.status_changed_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        reached = advance(locked.steps_reached, locked.step_reached_at, move.target.value, now)
        if reached.reached:
            locked.steps_reached, locked.step_reached_at = reached.mask, reached.since
            fields += ["steps_reached", "step_reached_at"]
        if move.target in SUBMITTED_STATUSES and locked.submitted_at is None:
            locked.submitted_at = now
            # The file keeps the rules of this moment (Application.rules), read in this UPDATE.
            locked.rulebook_digest = Subquery(
                Campaign.objects.filter(pk=locked.campaign_id).values("rulebook_digest")[:1]
            )
            fields += ["submitted_at", "rulebook_digest"]
        locked.save(update_fields=fields)
        step_counts.moved(locked.programme_id, current.value, move.target.value)
        report_counts.moved(locked, current.value, move.target.value, reached)
        record_event(
            locked,
            action=f"application.{action}",
            by=by,
            details=details,
            from_status=current.value,
            to_status=move.target.value,
        )
        # Robust: a failing receiver is logged, it cannot undo or fail a committed move.
        transaction.on_commit(
            partial(
                status_changed.send,
                sender=Application,
                application_id=locked.pk,
                action=action,
                from_status=current.value,
                to_status=move.target.value,
                by=by,
            ),
            robust=True,
        )
    application.refresh_from_db()
    return application


@dataclass(frozen=True)
class Planned:
    """One file's move in `transition_many`."""

    application_id: int
    action: str
    by: User | None = None
    details: dict[str, Any] | None = None


def transition_many(planned: Sequence[Planned]) -> list[Moved]:
    """Apply many moves at once, with the same checks, rows and signals as `transition`.

    The files' rows are locked and read in one query and each move is checked against the
    table (all or nothing: one illegal move raises IllegalTransition and nothing moves);
    then one UPDATE per target status, guarded by the source statuses, and one INSERT of the
    history rows. After the commit `statuses_changed` is sent once, then `status_changed`
    per file with `in_bulk=True` (see `applications.signals`). Moves into a submitted status
    (which freeze the rules) go through `transition` one by one. Returns the moves made in
    bulk.
    """
    if not planned:
        return []
    moves = {}
    for item in planned:
        move = MOVES.get(item.action)
        if move is None:
            raise IllegalTransition(f"Unknown action {item.action!r}")
        moves[item.action] = move
    ids = [item.application_id for item in planned]
    if len(set(ids)) != len(ids):
        raise IllegalTransition("A file moves once in a batch", details={"action": "many"})
    with transaction.atomic():
        programmes = Application.objects.filter(pk__in=ids).values("programme_id")
        list(
            Programme.objects.select_for_update(no_key=True)
            .filter(pk__in=programmes)
            .order_by("pk")
            .values("pk")
        )
        rows = Application.objects.select_for_update().filter(pk__in=ids)
        held = {
            pk: (status, programme_id)
            for pk, status, programme_id in rows.values_list("pk", "status", "programme_id")
        }
        # What the report counts: the steps each file reached, and its breakdown's columns.
        steps = {
            pk: (mask, since, report_counts.keys_from_values(tuple(columns)))
            for pk, mask, since, *columns in rows.values_list(
                "pk", "steps_reached", "step_reached_at", *report_counts.KEY_COLUMNS
            )
        }
        current = {pk: status for pk, (status, _programme) in held.items()}
        for item in planned:
            status = current.get(item.application_id)
            move = moves[item.action]
            if status is None or Status(status) not in move.sources:
                label = Status(status).label if status else "unknown"
                raise IllegalTransition(
                    f"Cannot {item.action.replace('_', ' ')} a file that is {label}",
                    details={"from": status, "action": item.action, "id": item.application_id},
                )
        now = timezone.now()
        one_by_one = [i for i in planned if moves[i.action].target in SUBMITTED_STATUSES]
        in_bulk = [i for i in planned if moves[i.action].target not in SUBMITTED_STATUSES]
        advances = {
            item.application_id: advance(
                steps[item.application_id][0],
                steps[item.application_id][1],
                moves[item.action].target.value,
                now,
            )
            for item in in_bulk
        }
        # One UPDATE per target status, and per change of the steps reached (at most two
        # kinds: a step reached beyond the furthest, or not).
        by_target: dict[tuple[Status, frozenset[Status], int, bool], list[int]] = defaultdict(list)
        for item in in_bulk:
            move = moves[item.action]
            step = advances[item.application_id]
            bits = step.mask & ~steps[item.application_id][0]
            by_target[(move.target, move.sources, bits, step.left is not None)].append(
                item.application_id
            )
        for (target, sources, bits, further), group in by_target.items():
            values: dict[str, Any] = {
                "status": target.value,
                "status_changed_at": now,
                "updated_at": now,
            }
            if bits:
                values["steps_reached"] = F("steps_reached").bitor(bits)
            if further:
                values["step_reached_at"] = now
            updated = Application.objects.filter(
                pk__in=group, status__in=[s.value for s in sources]
            ).update(**values)
            if updated != len(group):
                raise IllegalTransition(
                    f"{len(group) - updated} files changed status while they were moved",
                    details={"to": target.value},
                )
        events = [
            ApplicationEvent(
                application_id=item.application_id,
                actor=item.by,
                action=f"application.{item.action}",
                from_status=current[item.application_id],
                to_status=moves[item.action].target.value,
                details=item.details or {},
            )
            for item in in_bulk
        ]
        record_events(events)
        step_counts.moved_many(
            (held[item.application_id][1], current[item.application_id], moves[item.action].target)
            for item in in_bulk
        )
        report_counts.moved_many(
            (
                steps[item.application_id][2],
                current[item.application_id],
                moves[item.action].target.value,
                advances[item.application_id],
            )
            for item in in_bulk
        )
        done = [
            Moved(
                application_id=item.application_id,
                action=item.action,
                from_status=current[item.application_id],
                to_status=moves[item.action].target.value,
                by_id=item.by.pk if item.by is not None else None,
            )
            for item in in_bulk
        ]
        users = {item.application_id: item.by for item in in_bulk}
        transaction.on_commit(partial(_tell, done, users), robust=True)
        for item in one_by_one:
            transition(
                Application(pk=item.application_id),
                action=item.action,
                by=item.by,
                details=item.details,
            )
    return done


def _tell(done: list[Moved], users: dict[int, User | None]) -> None:
    """The signals of a batch of moves: once for bulk receivers, then each file's."""
    for receiver, error in statuses_changed.send_robust(sender=Application, moves=done):
        if isinstance(error, Exception):
            logger.error("receiver %s failed on a batch of moves", receiver, exc_info=error)
    for one in done:
        for receiver, error in status_changed.send_robust(
            sender=Application,
            application_id=one.application_id,
            action=one.action,
            from_status=one.from_status,
            to_status=one.to_status,
            by=users[one.application_id],
            in_bulk=True,
        ):
            if isinstance(error, Exception):
                logger.error(
                    "receiver %s failed on file %s", receiver, one.application_id, exc_info=error
                )
