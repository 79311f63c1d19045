"""Files ready for the jury go on the agenda of the first session whose cut-off they meet.

A file is ready when it is interviewed; admissible where the interview is optional and none
was asked; or judged unfavourably where that opinion does not end the file. It became ready
on the Paris day of its last move; a file ready after a session's cut-off (the end of that
day) goes to the next one. `place_ready_files` (a periodic job) and the office's explicit
placement both call `place`, which moves the file with `place_on_agenda` and records the
session, the cut-off met and any session missed.

Publishing a session closes it: the files it leaves undecided (no decision entered, or one
not validated, which is then dropped) move to the next session's agenda with the
`carry_over` move, whose history names the session left and why (`carry_over`). Where no
session follows yet, the file stays where it is, its history says it waits
(`jury.waiting_for_session`), the office sees it flagged on the sessions list (`waiting`),
and the periodic job moves it once a session is set.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from admissions.applications.history import record_event, transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import JurySession
from admissions.core.errors import ValidationFailed
from admissions.jury.access import require_organiser
from admissions.jury.models import AgendaItem, Decision
from admissions.jury.sessions import cutoff_of, is_closed, sessions_by_cutoff
from admissions.people.models import User
from admissions.rules.deadlines import PARIS, paris_date
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
    return [session for session in sessions_by_cutoff(campaign_id) if not is_closed(session)]


def place_explicitly(application: Application, session: JurySession, *, by: User) -> AgendaItem:
    require_organiser(by, session)
    if is_closed(session):
        raise ValidationFailed(_("This session's decisions are published: choose a later one."))
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
    """Place every ready file on its session's agenda, and move the files a published session
    left undecided to the next one; returns the references placed or moved."""
    _ = now  # a file's session follows the day it became ready, not the day of the run
    moved = [ref for session in closed_with_files() for ref in carry_over(session).moved]
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
    return moved + placed


# Why a file leaves a published session undecided.
NOT_DECIDED = "not_decided"  # no decision entered: the jury did not reach it
NOT_VALIDATED = "not_validated"  # entered, not validated by the president: dropped
WAITING = "jury.waiting_for_session"


def next_session(closed: JurySession) -> JurySession | None:
    """The first session still open after `closed`, by cut-off."""
    after = (cutoff_of(closed), closed.pk)
    later = [s for s in open_sessions(closed.campaign_id) if (cutoff_of(s), s.pk) > after]
    return later[0] if later else None


def closed_with_files() -> list[JurySession]:
    """Published sessions still holding undecided files (waiting for a session)."""
    return list(
        JurySession.objects.filter(
            publication__done_at__isnull=False,
            agenda__application__status=Status.ON_AGENDA,
        )
        .distinct()
        .select_related("campaign", "publication")
        .order_by("pk")
    )


@dataclass
class CarriedOver:
    moved: list[str] = field(default_factory=list)  # references moved to `to`
    waiting: list[str] = field(default_factory=list)  # references left waiting for a session
    to: JurySession | None = None


def carry_over(session: JurySession, *, by: User | None = None) -> CarriedOver:
    """Move the files a published session left undecided to the next session's agenda.

    Call it once the session's publication is done (inside its transaction or after). A
    decision entered and not validated is dropped: the next session deliberates afresh.
    """
    result = CarriedOver()
    with transaction.atomic():
        items = list(
            AgendaItem.objects.select_for_update(of=("self",))
            .filter(session=session, application__status=Status.ON_AGENDA)
            .select_related("application")
            .order_by("pk")
        )
        if not items:
            return result
        ids = [item.application_id for item in items]
        dropped = {
            application_id: (pk, outcome, entered_by)
            for pk, application_id, outcome, entered_by in Decision.objects.filter(
                application_id__in=ids, published_at__isnull=True
            ).values_list("pk", "application_id", "outcome", "entered_by_id")
        }
        if dropped:
            Decision.objects.filter(pk__in=[d[0] for d in dropped.values()]).delete()
        waited = {
            application_id: (details, at)
            for application_id, details, at in ApplicationEvent.objects.filter(
                application_id__in=ids, action=WAITING, details__from_session=session.slug
            ).values_list("application_id", "details", "at")
        }
        target = next_session(session)
        result.to = target
        for item in items:
            application = item.application
            why = NOT_VALIDATED if application.pk in dropped else NOT_DECIDED
            details: dict[str, object] = {
                "from_session": session.slug,
                "from_session_name": {"fr": session.name_fr, "en": session.name_en},
                "why": waited[application.pk][0].get("why", why)
                if application.pk in waited
                else why,
            }
            if application.pk in dropped:
                _pk, outcome, entered_by = dropped[application.pk]
                details["dropped_decision"] = {"outcome": outcome, "entered_by": entered_by}
            if target is None:
                if application.pk not in waited:
                    record_event(application, action=WAITING, by=by, details=details)
                result.waiting.append(application.reference)
                continue
            if application.pk in waited:
                details["waited_since"] = waited[application.pk][1].isoformat()
            transition(
                application,
                action="carry_over",
                by=by,
                details={
                    **details,
                    "session": target.slug,
                    "session_name": {"fr": target.name_fr, "en": target.name_en},
                    "cutoff": cutoff_of(target).isoformat(),
                },
            )
            result.moved.append(application.reference)
        if target is not None:
            AgendaItem.objects.filter(pk__in=[i.pk for i in items]).update(
                session=target, placed_by=by
            )
    return result


@dataclass(frozen=True)
class Waiting:
    """Files ready for the jury with no session to go to, for the office's sessions list."""

    campaign_id: int
    carried: list[str]  # left undecided by a published session, no session after it
    unplaced: list[str]  # ready after the last open session's cut-off (or no session at all)

    @property
    def count(self) -> int:
        return len(self.carried) + len(self.unplaced)


def waiting(campaign_ids: list[int]) -> list[Waiting]:
    """Per campaign, the files that wait for a jury session to be set; only campaigns with some.

    Four queries, whatever the number of campaigns, sessions and files.
    """
    carried: dict[int, list[str]] = defaultdict(list)
    for campaign_id, reference in (
        AgendaItem.objects.filter(
            session__campaign_id__in=campaign_ids,
            session__publication__done_at__isnull=False,
            application__status=Status.ON_AGENDA,
        )
        .order_by("pk")
        .values_list("session__campaign_id", "application__reference")
    ):
        carried[campaign_id].append(reference)
    unplaced = _ready_past_the_sessions(campaign_ids)
    return [
        Waiting(campaign_id=c, carried=carried.get(c, []), unplaced=unplaced.get(c, []))
        for c in campaign_ids
        if carried.get(c) or unplaced.get(c)
    ]


def _ready_past_the_sessions(campaign_ids: list[int]) -> dict[int, list[str]]:
    """Ready files whose day is after every open session's cut-off: the job leaves them."""
    last: dict[int, dt.date] = {}
    for session in JurySession.objects.filter(
        campaign_id__in=campaign_ids, is_active=True
    ).select_related("publication"):
        if not is_closed(session):
            cutoff = cutoff_of(session)
            last[session.campaign_id] = max(cutoff, last.get(session.campaign_id, cutoff))
    past = Q(pk__in=[])
    for campaign_id in campaign_ids:
        if campaign_id in last:
            day_after = dt.datetime.combine(
                last[campaign_id] + dt.timedelta(days=1), dt.time(), tzinfo=PARIS
            )
            past |= Q(campaign_id=campaign_id, status_changed_at__gte=day_after)
        else:
            past |= Q(campaign_id=campaign_id)
    rows = list(
        Application.objects.filter(past)
        .filter(status__in=list(CANDIDATE_STATUSES), agenda_item__isnull=True)
        .select_related("campaign")
        .order_by("status_changed_at", "pk")[:500]
    )
    pending = _pending_interviews([a.pk for a in rows])
    found: dict[int, list[str]] = defaultdict(list)
    for application in rows:
        if is_ready(application, interview_pending=application.pk in pending):
            found[application.campaign_id].append(application.reference)
    return found


def agenda_page(session: JurySession, *, after: int, size: int) -> tuple[list[AgendaItem], bool]:
    """The session's agenda in the order files were placed, `size` items after the item
    `after` (0: from the start), with each file's decision and what the jury reads of it;
    and whether more follow."""
    items: list[AgendaItem] = list(
        AgendaItem.objects.filter(session=session, pk__gt=after)
        .select_related(
            "application__candidate__profile",
            "application__programme",
            "application__admissibility_review",
            "application__interview",
            "application__jury_decision__entered_by__profile",
            "application__jury_decision__validated_by__profile",
        )
        .annotate(
            documents=Count(
                "application__documents",
                filter=Q(application__documents__translation_of__isnull=True),
                distinct=True,
            ),
        )
        .order_by("pk")[: size + 1]
    )
    return items[:size], len(items) > size
