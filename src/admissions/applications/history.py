"""Writing the history of a file and moving it through its life cycle."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from admissions.applications.lifecycle import MOVES, SUBMITTED_STATUSES, Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.signals import status_changed
from admissions.applications.step_counts import moved
from admissions.catalog.models import Campaign
from admissions.core.errors import IllegalTransition
from admissions.people.models import User


def record_event(
    application: Application,
    *,
    action: str,
    by: User | None,
    details: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        actor=by,
        action=action,
        from_status=from_status,
        to_status=to_status,
        details=details or {},
    )


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
    with transaction.atomic():
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
        if move.target in SUBMITTED_STATUSES and locked.submitted_at is None:
            locked.submitted_at = now
            # The file keeps the rules of this moment (Application.rules), read in this UPDATE.
            locked.rulebook_digest = Subquery(
                Campaign.objects.filter(pk=locked.campaign_id).values("rulebook_digest")[:1]
            )
            fields += ["submitted_at", "rulebook_digest"]
        locked.save(update_fields=fields)
        moved(locked.programme_id, current.value, move.target.value)
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
