"""What waits on each staff role, and how many files stand at each step of each programme."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.translation import get_language

from admissions.applications.lifecycle import STAFF_STEPS, Status
from admissions.applications.models import Application
from admissions.catalog.models import Programme
from admissions.core.compiled import Shaped, id_markers
from admissions.core.plans import InConstants, UnindexedNumber, UnindexedText
from admissions.office.file_rows import WAITING_COLUMNS
from admissions.people.models import Role, User

WAITING_SHOWN = 20
# The status a file waits in for each role's move.
WAITS_ON: dict[Role, tuple[Status, ...]] = {
    Role.ADMISSIONS_OFFICER: (Status.SUBMITTED, Status.ADMISSIBLE),
    Role.PEDAGOGICAL_LEAD: (Status.COMPLETE,),
    Role.JURY_MEMBER: (Status.ON_AGENDA,),
    Role.JURY_PRESIDENT: (Status.ON_AGENDA,),
    Role.INSTITUTION_ADMIN: (Status.SUBMITTED, Status.COMPLETE, Status.ADMISSIBLE),
    Role.PLATFORM_ADMIN: (Status.SUBMITTED, Status.COMPLETE, Status.ADMISSIBLE),
}


@dataclass(frozen=True)
class ProgrammeCounts:
    pk: int
    name: str
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class Scope:
    """The programmes a reader's files come from, read once per request with their counts."""

    programme_ids: list[int]
    institution_ids: set[int]
    # Counts per status, overall (in the lifecycle's order) and per programme with files.
    overall: dict[str, int]
    per_programme: list[ProgrammeCounts]


SCOPES = Shaped()


def scope_counts(scope: tuple[bool, list[int], list[int]]) -> Scope:
    """The programmes of `scope` (as `permissions.programme_scope` gives it: every programme,
    or those of whole institutions and single programmes), each with its counts per status
    kept with every move (`StepCount`): one query of as many rows as steps, however many
    files, compiled once per shape (every programme, or how many ids of each kind). The
    page's other queries take the ids as a list instead of a subquery of the roles and
    programmes compiled again in each of them."""
    overall: dict[str, int] = {}
    by_programme: dict[tuple[str, int], dict[str, int]] = {}
    ids: dict[int, None] = {}
    institutions: set[int] = set()
    english = (get_language() or "fr").startswith("en")
    every, institution_ids, programme_ids = scope
    institution_marks = id_markers(len(institution_ids))
    programme_marks = id_markers(len(programme_ids), len(institution_ids))

    def build() -> QuerySet[Any, Any]:
        chosen = (
            Q() if every else Q(institution_id__in=institution_marks) | Q(pk__in=programme_marks)
        )
        return (
            Programme.objects.filter(chosen)
            .order_by("pk")
            .values_list(
                "pk",
                "institution_id",
                "name_fr",
                "name_en",
                "stepcount__status",
                "stepcount__files",
            )
        )

    rows = SCOPES.rows(
        ("scope", every, len(institution_ids), len(programme_ids)),
        build,
        [*institution_marks, *programme_marks],
        [*institution_ids, *programme_ids],
    )
    for pk, institution_id, french_name, english_name, status, number in rows:
        ids[pk] = None
        institutions.add(institution_id)
        if status is None or not number or number <= 0:
            continue
        name = english_name if english and english_name else french_name
        overall[status] = overall.get(status, 0) + number
        by_programme.setdefault((name, pk), {})[status] = number
    ordered = {s.value: overall[s.value] for s in Status if s.value in overall}
    return Scope(
        programme_ids=list(ids),
        institution_ids=institutions,
        overall=ordered,
        per_programme=[ProgrammeCounts(pk, n, c) for (n, pk), c in sorted(by_programme.items())],
    )


def _planned_columns() -> tuple[Any, Any]:
    """The scope's and the steps' columns as `waiting_on` filters them. Only SQLite needs
    them out of its indexes' reach: PostgreSQL estimates such expressions blind (a small
    fraction of the rows), then prefers a bitmap scan and a sort (68 ms against 0.1 ms at
    100,000 files), while its statistics on the bare columns pick the ordered index."""
    if connection.vendor == "sqlite":
        return UnindexedNumber("programme_id"), UnindexedText("status")
    return F("programme_id"), F("status")


def waiting_on(
    user_id: int, roles: set[str], programmes: QuerySet[Any] | Sequence[int], platform: bool
) -> QuerySet[Application, tuple[Any, ...]]:
    """The submitted files of `programmes` (their ids, or a query of them) waiting on the move
    of the user `user_id`,
    the longest waiting first, as rows of `file_rows.WAITING_COLUMNS`.

    Read in the order of the index `application_waiting_on_staff`, whose condition the query
    repeats word for word (SQLite uses a partial index only then): the scan stops at the
    twentieth file in scope. On SQLite the scope and the role's steps are written so that
    no other index answers them; otherwise it reads every file of those steps and sorts
    them (150 ms at 100,000 files, against under a millisecond).
    """
    statuses = {s for role in roles for s in WAITS_ON.get(Role(role), ())}
    if platform:
        statuses |= set(WAITS_ON[Role.PLATFORM_ADMIN])
    condition = Q(waiting_step__in=sorted(statuses))
    if Role.INTERVIEWER in roles:
        condition |= Q(status=Status.INTERVIEW_SCHEDULED, interview__slot__interviewer_id=user_id)
    # The twenty files first, from the applications alone: a join would let the planner
    # start from the programmes and their index again.
    scope, step = _planned_columns()
    first = (
        Application.objects.filter(InConstants("status", sorted(STAFF_STEPS)))
        .alias(scope=scope, waiting_step=step)
        .filter(condition, scope__in=programmes)
        .order_by("status_changed_at", "pk")
        .values("pk")[:WAITING_SHOWN]
    )
    return (
        Application.objects.filter(pk__in=first)
        .order_by("status_changed_at", "pk")
        .values_list(*WAITING_COLUMNS)
    )


WAITING = Shaped()


def waiting_rows(
    user: User, roles: set[str], programme_ids: Sequence[int], platform: bool
) -> list[Sequence[Any]]:
    """`waiting_on`'s rows, by its statement compiled once per shape: the steps the roles
    wait on, whether one is the interviewer's, how many programmes."""
    statuses = {s for role in roles for s in WAITS_ON.get(Role(role), ())}
    if platform:
        statuses |= set(WAITS_ON[Role.PLATFORM_ADMIN])
    interviewer = Role.INTERVIEWER in roles
    programmes = id_markers(len(programme_ids))
    reader = id_markers(1, len(programme_ids))[0]
    return WAITING.rows(
        ("waiting", tuple(sorted(statuses)), interviewer, len(programme_ids)),
        lambda: waiting_on(reader, roles, programmes, platform),
        [*programmes, reader] if interviewer else programmes,
        [*programme_ids, user.pk] if interviewer else programme_ids,
    )
