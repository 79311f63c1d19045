"""The places of a programme: confirmations never go beyond its capacity.

A campaign's confirmed places of a programme are counted under a lock on the programme's
row, so two candidates confirming at the same moment are counted one after the other: on
PostgreSQL the second waits for the first to commit, then counts it. SQLite runs one
writing transaction at a time, which serialises them the same way.
"""

from __future__ import annotations

from django.utils.translation import ngettext

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Programme
from admissions.core.errors import DomainError

# The statuses that hold one of the programme's places.
HOLDING = frozenset({Status.CONFIRMED, Status.CONFIRMED_CONDITIONALLY})


class ProgrammeFullError(DomainError):
    code = "programme_full"
    http_status = 409


def taken(programme_id: int, campaign_id: int) -> int:
    return Application.objects.filter(
        programme_id=programme_id, campaign_id=campaign_id, status__in=list(HOLDING)
    ).count()


def claim_place(application: Application) -> None:
    """Refuse, unless a place is left for `application`; call inside the confirming
    transaction, which the lock taken here lasts until."""
    programme = Programme.objects.select_for_update().get(pk=application.programme_id)
    if taken(programme.pk, application.campaign_id) >= programme.capacity:
        raise ProgrammeFullError(
            ngettext(
                "The %(capacity)d place of this programme is already confirmed, so yours "
                "cannot be confirmed. The admissions office will contact you.",
                "All %(capacity)d places of this programme are already confirmed, so yours "
                "cannot be confirmed. The admissions office will contact you.",
                programme.capacity,
            )
            % {"capacity": programme.capacity},
            details={"capacity": programme.capacity},
        )
