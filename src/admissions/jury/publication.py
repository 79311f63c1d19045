"""Publishing a session's validated decisions: at a set time (a periodic job) or at once.

Each file moves with its `publish_*` move (its history says which session and decision), a
waiting-list file gets its rank, and the candidate's email is queued in the same
transaction, in their language, with the rulebook's wording ("no appeal"); admitted
candidates' emails carry the admission letter (made when the email is sent). The
decisions' rows are then marked published in one statement: from then on they are
irrevocable.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.history import Planned, transition, transition_many
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import JurySession, without_rulebooks
from admissions.core import faults
from admissions.core.errors import DomainError, NotAllowed, ValidationFailed
from admissions.jury.access import is_organiser, seat_of
from admissions.jury.agenda import carry_over
from admissions.jury.models import Decision, Publication, Seat
from admissions.jury.places import ADMITTING, check_capacity, lock_programme
from admissions.jury.signals import decisions_published
from admissions.notify import decision_emails
from admissions.notify.bulk import ToCandidate
from admissions.notify.context import language_of, speaking
from admissions.people.models import User
from admissions.rules.vocabulary import JuryDecision

logger = logging.getLogger(__name__)


def _may_publish(user: User, session: JurySession) -> bool:
    seat = seat_of(user, session)
    return (seat is not None and seat.seat == Seat.PRESIDENT) or is_organiser(user, session)


def schedule_publication(
    session: JurySession, *, by: User, at: dt.datetime | None = None
) -> Publication:
    """Publish the validated decisions at `at`, or at once when `at` is None or past."""
    if not _may_publish(by, session):
        raise NotAllowed(_("Only the president or the admissions office publishes."))
    if not Decision.objects.filter(
        session=session, validated_at__isnull=False, published_at__isnull=True
    ).exists():
        raise ValidationFailed(
            _("No validated decision waits to be published."), code="nothing_to_publish"
        )
    moment = at or timezone.now()
    with transaction.atomic():
        publication, _created = Publication.objects.update_or_create(
            session=session,
            defaults={"publish_at": moment, "requested_by": by, "done_at": None},
        )
    if moment <= timezone.now():
        publish_session(session.pk)
        publication.refresh_from_db()
    return publication


def publish_due(now: dt.datetime | None = None) -> list[str]:
    """The periodic job: every publication whose time has come."""
    moment = now or timezone.now()
    done = []
    due = Publication.objects.filter(done_at__isnull=True, publish_at__lte=moment)
    for session_id in due.values_list("session_id", flat=True):
        try:
            count = publish_session(session_id, now=moment)
        except DomainError:
            logger.exception("publication of jury session %s refused", session_id)
            continue
        done.append(f"{session_id}: {count}")
    return done


def publish_session(
    session_id: int, *, now: dt.datetime | None = None, one_by_one: bool = False
) -> int:
    """Publish what the session validated and did not publish yet; returns how many.

    The files move together (`transition_many`) and their emails are queued together
    (`notify.bulk`); `one_by_one` moves and tells each file in turn, with the same result,
    and is kept as the reference the bulk path is tested against.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        session = JurySession.objects.select_related("campaign").get(pk=session_id)
        decisions = list(
            Decision.objects.filter(
                session=session,
                validated_at__isnull=False,
                published_at__isnull=True,
                application__status=Status.ON_AGENDA,
            )
            .select_related(
                "application__candidate__profile",
                "application__programme__institution",
                "application__programme__site",
                "validated_by",
            )
            .defer(*without_rulebooks("application__programme__institution"))
            .order_by("pk")
        )
        for decision in decisions:
            decision.application.campaign = session.campaign
        admitting = {d.application.programme_id for d in decisions if d.outcome in ADMITTING}
        for programme_id in sorted(admitting):
            lock_programme(programme_id)
        if one_by_one:
            for decision in decisions:
                _publish_one(decision)
        else:
            _publish_all(decisions)
        faults.point("publication.before_commit")
        for programme in {d.application.programme for d in decisions if d.outcome in ADMITTING}:
            check_capacity(session.campaign, programme)
        Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(published_at=moment)
        closed = Publication.objects.filter(session=session, done_at__isnull=True).update(
            done_at=moment
        )
        if closed:
            # What the session did not decide goes to the next one.
            carry_over(session)
        if decisions:
            # Last of the commit's hooks: after the moves' signals and the emails' scheduling.
            ids = [d.application_id for d in decisions]
            transaction.on_commit(partial(_tell_published, ids), robust=True)
    return len(decisions)


def _tell_published(application_ids: list[int]) -> None:
    for receiver, error in decisions_published.send_robust(
        sender=Publication, application_ids=application_ids
    ):
        if isinstance(error, Exception):
            logger.error("receiver %s failed on a publication", receiver, exc_info=error)


def _details(decision: Decision) -> dict[str, object]:
    details: dict[str, object] = {"session": decision.session_id, "decision_id": decision.pk}
    if decision.reason:
        details["reason"] = decision.reason
    if decision.waitlist_rank is not None:
        details["rank"] = decision.waitlist_rank
    return details


def _condition(application: Application) -> str:
    with speaking(language_of(application.candidate)):
        return _("obtaining the diploma you are preparing, and sending it to us")


def _email(decision: Decision) -> tuple[str, ToCandidate]:
    """The decision's email, as `_publish_one` sends it."""
    application = decision.application
    outcome = JuryDecision(decision.outcome)
    status = Status(outcome.value)
    extra: dict[str, str] = {}
    if outcome == JuryDecision.ADMITTED_CONDITIONALLY:
        extra["condition"] = _condition(application)
    elif outcome == JuryDecision.WAITLISTED:
        extra["rank"] = str(decision.waitlist_rank or 0)
    values = decision_emails.decision_values(application, status, **extra)
    email = ToCandidate(
        application=application, event=f"jury-decision-{decision.pk}", values=values
    )
    return decision_emails.DECISION_KINDS[status], email


def _publish_all(decisions: list[Decision]) -> None:
    ranked = [d for d in decisions if d.waitlist_rank is not None]
    if ranked:
        Application.objects.bulk_update(
            [Application(pk=d.application_id, waitlist_rank=d.waitlist_rank) for d in ranked],
            ["waitlist_rank"],
            batch_size=1000,
        )
    transition_many(
        [
            Planned(
                application_id=d.application_id,
                action=f"publish_{d.outcome}",
                by=d.validated_by,
                details=_details(d),
            )
            for d in decisions
        ]
    )
    decision_emails.send_many([_email(d) for d in decisions])


def _publish_one(decision: Decision) -> None:
    application: Application = decision.application
    details = _details(decision)
    if decision.waitlist_rank is not None:
        Application.objects.filter(pk=application.pk).update(waitlist_rank=decision.waitlist_rank)
    # `transition` reads the row again, dropping what was read with it: keep those.
    candidate, programme, campaign = (
        application.candidate,
        application.programme,
        application.campaign,
    )
    transition(
        application,
        action=f"publish_{decision.outcome}",
        by=decision.validated_by,
        details=details,
    )
    application.candidate, application.programme, application.campaign = (
        candidate,
        programme,
        campaign,
    )
    event = f"jury-decision-{decision.pk}"
    outcome = JuryDecision(decision.outcome)
    if outcome == JuryDecision.ADMITTED:
        decision_emails.send_decision_admitted(application, event=event)
    elif outcome == JuryDecision.ADMITTED_CONDITIONALLY:
        decision_emails.send_decision_admitted_conditionally(
            application, event=event, condition=_condition(application)
        )
    elif outcome == JuryDecision.WAITLISTED:
        decision_emails.send_decision_waitlisted(
            application, event=event, rank=decision.waitlist_rank or 0
        )
    else:
        decision_emails.send_decision_not_admitted(application, event=event)
