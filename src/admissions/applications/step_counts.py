"""Files per programme and status, kept as rows so that the staff's home never counts files.

`moved` is called by `history.transition` inside the move's transaction: the count is
undone with the move if it rolls back. Drafts are not counted (staff never list them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, StepCount


def _add(programme_id: int, status: str, step: int) -> None:
    rows = StepCount.objects.filter(programme_id=programme_id, status=status)
    if rows.update(files=F("files") + step):
        return
    # The step's first file: make its row (a concurrent move may have made it), then count.
    StepCount.objects.bulk_create(
        [StepCount(programme_id=programme_id, status=status, files=0)], ignore_conflicts=True
    )
    rows.update(files=F("files") + step)


def moved(programme_id: int, from_status: str, to_status: str) -> None:
    """One file of the programme moved from one status to another."""
    if from_status == to_status:
        return
    if from_status != Status.DRAFT:
        _add(programme_id, from_status, -1)
    if to_status != Status.DRAFT:
        _add(programme_id, to_status, 1)


def moved_many(moves: Iterable[tuple[int, str, str]]) -> None:
    """Many files moved at once (programme, from, to): one update per programme and status."""
    steps: Counter[tuple[int, str]] = Counter()
    for programme_id, from_status, to_status in moves:
        if from_status == to_status:
            continue
        if from_status != Status.DRAFT:
            steps[(programme_id, from_status)] -= 1
        if to_status != Status.DRAFT:
            steps[(programme_id, to_status)] += 1
    for (programme_id, status), step in sorted(steps.items()):
        if step:
            _add(programme_id, status, step)


def rebuild() -> int:
    """Count every programme's files again from the files themselves; returns the rows kept.

    Run it where files were written without `transition` (bulk imports, generated data); on
    a live site, when no file moves (a move during the rebuild may be counted twice or not).
    """
    grouped = (
        Application.objects.exclude(status=Status.DRAFT)
        .order_by()
        .values("programme_id", "status")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "status", "n")
    )
    with transaction.atomic():
        StepCount.objects.all().delete()
        made = StepCount.objects.bulk_create(
            [StepCount(programme_id=p, status=s, files=n) for p, s, n in grouped]
        )
    return len(made)
