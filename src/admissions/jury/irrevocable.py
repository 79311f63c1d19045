"""A published decision is irrevocable: every path that would change it is refused, and
recorded in the file's history with who tried, when and through which path.

The refusal is written in the caller's transaction: a caller that rolls everything back
rolls the record back too, and the decision stays as it was either way. The database's own
guard (a trigger refusing UPDATE and DELETE of a published row) catches what bypasses the
application, such as raw SQL; the database cannot record those.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from admissions.applications.models import ApplicationEvent
from admissions.core.errors import DomainError
from admissions.people.models import User

REFUSED = "jury.decision_change_refused"

# Who acts, and through which screen, for the paths that do not say it themselves
# (a model's save called from the admin site or a script).
_acting: ContextVar[tuple[User | None, str] | None] = ContextVar("jury_acting", default=None)


class DecisionPublishedError(DomainError):
    code = "decision_published"
    http_status = 409


@contextmanager
def acting(by: User | None, via: str) -> Iterator[None]:
    token = _acting.set((by, via))
    try:
        yield
    finally:
        _acting.reset(token)


def refuse_published(
    decisions: QuerySet[Any], *, via: str, by: User | None = None, attempted: str = ""
) -> None:
    """Raise DecisionPublishedError if any of `decisions` is published, after recording it."""
    published = list(
        decisions.filter(published_at__isnull=False).values_list("pk", "application_id", "outcome")
    )
    if not published:
        return
    context = _acting.get()
    if context is not None:
        by = by or context[0]
        via = f"{context[1]} ({via})"
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application_id=application_id,
                actor=by if by is not None and by.is_authenticated else None,
                action=REFUSED,
                details={
                    "path": via,
                    "decision": pk,
                    "outcome": outcome,
                    **({"attempted": attempted} if attempted else {}),
                },
            )
            for pk, application_id, outcome in published
        ]
    )
    raise DecisionPublishedError(
        _("This decision is published: it is irrevocable and cannot be changed."),
        details={"decisions": [pk for pk, _a, _o in published]},
    )
