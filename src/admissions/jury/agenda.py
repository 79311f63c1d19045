"""Files ready for the jury go on the agenda of the first session whose cut-off they meet.

A file is ready when it is interviewed; admissible where the interview is optional and none
was asked; or judged unfavourably where that opinion does not end the file. It became ready
on the Paris day of its last move; a file ready after a session's cut-off (the end of that
day) goes to the next one. `place_ready_files` (a periodic job) and the office's explicit
placement both call `place`, which moves the file with `place_on_agenda` and records the
session, the cut-off met and any session missed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import JurySession
from admissions.core.errors import ValidationFailed
from admissions.jury.access import require_organiser
from admissions.jury.models import AgendaItem
from admissions.jury.sessions import cutoff_of, sessions_by_cutoff
from admissions.people.models import User
from admissions.rules.deadlines import paris_date
from admissions.rules.jury import session_for

CANDIDATE_STATUSES = (Status.ADMISSIBLE, Status.NOT_ADMISSIBLE, Status.INTERVIEWED)
# An interview asked and not held yet (invited, or a slot booked): the file waits for it.
# Read through the file's reverse relation: the review package is of the jury's own layer.
PENDING_INTERVIEW = ("invited", "booked")


class NotReadyError(ValidationFailed):
    code = "not_ready_for_jury"


def is_ready(application: Application, *, interview_pending: bool) -> bool:
    rules = application.rules
    status = application.status
    if status == Status.INTERVIEWED:
        return True
    if status == Status.ADMISSIBLE:
        return not rules.interview.mandatory and not interview_pending
    if status == Status.NOT_ADMISSIBLE:
        return not rules.review.negative_ends_application
    return False


def _pending_interviews(application_ids: list[int]) -> set[int]:
    return set(
        Application.objects.filter(
            pk__in=application_ids, interview__state__in=PENDING_INTERVIEW
        ).values_list("pk", flat=True)
    )


def place(
    application: Application, session: JurySession, *, by: User | None, missed: list[str]
) -> AgendaItem:
    ready_on = paris_date(application.status_changed_at)
    with transaction.atomic():
        moved = transition(
            application,
            action="place_on_agenda",
            by=by,
            details={
                "session": session.slug,
                "session_name": {"fr": session.name_fr, "en": session.name_en},
                "cutoff": cutoff_of(session).isoformat(),
                "ready_on": ready_on.isoformat(),
                "missed": missed,
            },
        )
        return AgendaItem.objects.create(
            session=session, application=moved, ready_on=ready_on, placed_by=by
        )


def open_sessions(campaign_id: int) -> list[JurySession]:
    """Sessions still taking files: not yet published."""
    return [
        session
        for session in sessions_by_cutoff(campaign_id)
        if not hasattr(session, "publication") or session.publication.done_at is None
    ]


def place_explicitly(application: Application, session: JurySession, *, by: User) -> AgendaItem:
    require_organiser(by, session)
    if application.campaign_id != session.campaign_id:
        raise ValidationFailed(_("This session is not of the file's campaign."))
    pending = bool(_pending_interviews([application.pk]))
    if not is_ready(application, interview_pending=pending):
        raise NotReadyError(_("This file is not ready for the jury yet."))
    ready_on = paris_date(application.status_changed_at)
    if cutoff_of(session) < ready_on:
        raise ValidationFailed(
            _("The file became ready after this session's cut-off: choose a later session.")
        )
    missed = [s.slug for s in open_sessions(session.campaign_id) if cutoff_of(s) < ready_on]
    return place(application, session, by=by, missed=missed)


def place_ready_files(now: dt.datetime | None = None) -> list[str]:
    """Place every ready file on its session's agenda; returns the references placed."""
    _ = now  # a file's session follows the day it became ready, not the day of the run
    placed: list[str] = []
    candidates = list(
        Application.objects.filter(status__in=list(CANDIDATE_STATUSES), agenda_item__isnull=True)
        .filter(Q(campaign__jury_sessions__is_active=True))
        .distinct()
        .select_related("campaign")
        .order_by("status_changed_at", "pk")
    )
    pending = _pending_interviews([a.pk for a in candidates])
    by_campaign: dict[int, list[Application]] = defaultdict(list)
    for application in candidates:
        if is_ready(application, interview_pending=application.pk in pending):
            by_campaign[application.campaign_id].append(application)
    for campaign_id, files in by_campaign.items():
        sessions = open_sessions(campaign_id)
        cutoffs = [cutoff_of(session) for session in sessions]
        for application in files:
            ready_on = paris_date(application.status_changed_at)
            index = session_for(ready_on, cutoffs)
            if index is None:
                continue  # no session left for it: it waits for one to be set
            missed = [
                s.slug for s, cutoff in zip(sessions, cutoffs, strict=True) if cutoff < ready_on
            ]
            place(application, sessions[index], by=None, missed=missed)
            placed.append(application.reference)
    return placed
