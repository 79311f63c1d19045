"""Files taken to the jury's outcomes for the tests of places and the waiting list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.people.models import Role
from admissions.rules.deadlines import PARIS
from admissions.workflow.submission import submit
from tests.factories import eligible_candidate, programme_of, ready_application, staff_member

BS_PROGRAMME = "ms-achats-supply-chain"
NORD_PROGRAMME = "ms-cybersecurite"


def set_capacity(campaign: Campaign, slug: str, capacity: int) -> None:
    Programme.objects.filter(institution=campaign.institution, slug=slug).update(capacity=capacity)


def before_the_jury(campaign: Campaign, slug: str, **choices: Any) -> Application:
    candidate = eligible_candidate()
    application = ready_application(candidate, campaign, programme_of(campaign, slug), **choices)
    submit(application, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    for step in ("mark_complete", "record_admissible", "place_on_agenda"):
        transition(application, action=step, by=officer)
    return application


def decided(
    campaign: Campaign,
    slug: str,
    action: str,
    *,
    rank: int | None = None,
    details: dict[str, Any] | None = None,
    **choices: Any,
) -> Application:
    """A file with the jury's published decision (`publish_*`), ranked on the list."""
    application = before_the_jury(campaign, slug, **choices)
    transition(application, action=action, by=None, details=details)
    if rank is not None:
        Application.objects.filter(pk=application.pk).update(waitlist_rank=rank)
        application.refresh_from_db()
    return application


def statuses(files: list[Application]) -> list[str]:
    by_pk = dict(
        Application.objects.filter(pk__in=[f.pk for f in files]).values_list("pk", "status")
    )
    return [by_pk[f.pk] for f in files]


def holding(campaign: Campaign, slug: str) -> int:
    return Application.objects.filter(
        campaign=campaign,
        programme__slug=slug,
        status__in=[
            Status.ADMITTED,
            Status.ADMITTED_CONDITIONALLY,
            Status.CONFIRMED,
            Status.CONFIRMED_CONDITIONALLY,
        ],
    ).count()


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)
