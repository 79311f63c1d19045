"""Interviews: slots the staff publish, the candidate's booking, then the grid or a no-show.

A slot holds one candidate: the slot row is locked while a booking is made, and the
interview's slot is unique, so two candidates booking at once get one slot between them.
The candidate books, moves or cancels until `CHANGE_CUTOFF` before the slot; staff may move
or cancel until the slot starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.history import record_event, transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Programme
from admissions.core.errors import IllegalTransition, NotAllowed, ValidationFailed
from admissions.people.models import Role, User
from admissions.people.permissions import can_act_on_programme
from admissions.review import signals
from admissions.review.models import (
    DEFAULT_SLOT_MINUTES,
    Interview,
    InterviewSetup,
    InterviewSlot,
    InterviewState,
    Recommendation,
)
from admissions.review.roles import (
    INTERVIEW_GRADERS,
    INTERVIEW_ORGANISERS,
    require,
    require_on_programme,
)
from admissions.review.scores import Score, checked_grid

CHANGE_CUTOFF = dt.timedelta(hours=24)
INVITABLE = frozenset({Status.ADMISSIBLE})


def video_link_for(programme: Programme, slot_id: int) -> str:
    setup = InterviewSetup.objects.filter(programme=programme).first()
    if setup is None:
        return ""
    return setup.video_link_template.replace("{slot}", str(slot_id))


def set_video_link_template(programme: Programme, *, by: User, template: str) -> InterviewSetup:
    require_on_programme(by, programme.pk, INTERVIEW_ORGANISERS)
    template = template.strip()
    if not template.startswith("https://"):
        raise ValidationFailed(
            _("A video link starts with https://."), details={"field": "video_link_template"}
        )
    setup, _created = InterviewSetup.objects.update_or_create(
        programme=programme, defaults={"video_link_template": template}
    )
    return setup


def publish_slot(
    programme: Programme,
    *,
    by: User,
    starts_at: dt.datetime,
    interviewer: User,
    duration_minutes: int = DEFAULT_SLOT_MINUTES,
    video_link: str = "",
) -> InterviewSlot:
    """A slot candidates of the programme may book; the same slot published twice is one."""
    require_on_programme(by, programme.pk, INTERVIEW_ORGANISERS)
    if not can_act_on_programme(
        interviewer, programme.pk, (Role.INTERVIEWER, Role.PEDAGOGICAL_LEAD)
    ):
        raise ValidationFailed(
            _("The interviewer holds no interviewer's role on this programme."),
            details={"field": "interviewer"},
        )
    if starts_at <= timezone.now():
        raise ValidationFailed(_("A slot starts in the future."), details={"field": "starts_at"})
    if not 5 <= duration_minutes <= 240:
        raise ValidationFailed(
            _("An interview lasts between 5 and 240 minutes."),
            details={"field": "duration_minutes"},
        )
    with transaction.atomic():
        slot, created = InterviewSlot.objects.get_or_create(
            programme=programme,
            starts_at=starts_at,
            interviewer=interviewer,
            defaults={
                "duration_minutes": duration_minutes,
                "video_link": video_link.strip(),
                "created_by": by,
            },
        )
        if created and not slot.video_link:
            slot.video_link = video_link_for(programme, slot.pk)
            slot.save(update_fields=["video_link"])
    return slot


def free_slots(programme: Programme, *, now: dt.datetime | None = None) -> QuerySet[InterviewSlot]:
    """Slots a candidate may still book, soonest first."""
    moment = now or timezone.now()
    return (
        InterviewSlot.objects.filter(
            programme=programme, starts_at__gt=moment + CHANGE_CUTOFF, interview__isnull=True
        )
        .select_related("interviewer")
        .order_by("starts_at", "pk")
    )


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("campaign", "programme")
        .get(pk=application.pk)
    )


def invite(application: Application, *, by: User) -> Interview:
    """Invite an admissible file to book a slot (every file where the interview is mandatory,
    a file chosen by the lead where it is optional). Inviting twice is one invitation; a
    candidate recorded absent is invited again to book a new slot."""
    require(by, application, INTERVIEW_ORGANISERS)
    with transaction.atomic():
        locked = _locked(application)
        existing = Interview.objects.select_for_update().filter(application=locked).first()
        if existing is not None and existing.state != InterviewState.NO_SHOW:
            return existing
        if locked.status not in INVITABLE:
            raise IllegalTransition(
                _("Only an admissible file is invited to an interview."),
                details={"status": locked.status},
            )
        if existing is None:
            interview = Interview.objects.create(
                application=locked, state=InterviewState.INVITED, invited_by=by
            )
            record_event(locked, action="interview.invited", by=by)
        else:
            missed = existing.slot_id
            interview = existing
            interview.state = InterviewState.INVITED
            interview.slot = None
            interview.invited_by = by
            interview.save(update_fields=["state", "slot", "invited_by"])
            record_event(
                locked,
                action="interview.invited",
                by=by,
                details={"again": True, "missed_slot": missed, "no_shows": interview.no_shows},
            )
        signals.interview_invited.send(sender=Application, application_id=locked.pk, by=by)
    return interview


def _may_change(interview: Interview, application: Application, by: User) -> dt.timedelta:
    """The cut-off that applies to `by`: the candidate's, or none for the organisers."""
    if application.candidate_id == by.pk:
        return CHANGE_CUTOFF
    require(by, application, INTERVIEW_ORGANISERS)
    return dt.timedelta(0)


def _check_bookable(slot: InterviewSlot, application: Application, cutoff: dt.timedelta) -> None:
    if slot.programme_id != application.programme_id:
        raise ValidationFailed(_("This slot is for another programme."), details={"field": "slot"})
    if slot.starts_at <= timezone.now() + cutoff:
        raise ValidationFailed(_("This slot can no longer be booked."), details={"field": "slot"})
    if Interview.objects.filter(slot=slot).exists():
        raise IllegalTransition(
            _("Someone has just booked this slot: choose another one."),
            code="slot_taken",
            details={"slot": slot.pk},
        )


def book(application: Application, *, slot: InterviewSlot, by: User) -> Interview:
    """Book `slot` (or move the booking to it). Booking the slot already held changes nothing."""
    with transaction.atomic():
        locked = _locked(application)
        interview = Interview.objects.select_for_update().filter(application=locked).first()
        if interview is None:
            if locked.candidate_id == by.pk:
                raise NotAllowed(_("This file is not invited to an interview."))
            raise IllegalTransition(_("Invite the file to an interview first."))
        cutoff = _may_change(interview, locked, by)
        if interview.slot_id == slot.pk:
            return interview
        if interview.state not in (InterviewState.INVITED, InterviewState.BOOKED):
            raise IllegalTransition(
                _("The interview has taken place."), details={"state": interview.state}
            )
        previous = interview.slot
        if previous is not None and previous.starts_at <= timezone.now() + cutoff:
            raise ValidationFailed(
                _("Your interview is too close to be moved: contact the admissions office."),
                details={"field": "slot"},
            )
        locked_slot = InterviewSlot.objects.select_for_update().get(pk=slot.pk)
        _check_bookable(locked_slot, locked, cutoff)
        interview.slot = locked_slot
        interview.state = InterviewState.BOOKED
        try:
            with transaction.atomic():
                interview.save(update_fields=["slot", "state"])
        except IntegrityError:
            raise IllegalTransition(
                _("Someone has just booked this slot: choose another one."),
                code="slot_taken",
                details={"slot": slot.pk},
            ) from None
        details = {"slot": locked_slot.pk, "starts_at": locked_slot.starts_at.isoformat()}
        if previous is not None:
            details["previous_slot"] = previous.pk
        transition(locked, action="schedule_interview", by=by, details=details)
        if previous is None:
            signals.interview_booked.send(
                sender=Application, application_id=locked.pk, slot_id=locked_slot.pk, by=by
            )
        else:
            signals.interview_moved.send(
                sender=Application,
                application_id=locked.pk,
                slot_id=locked_slot.pk,
                previous_slot_id=previous.pk,
                by=by,
            )
    return interview


def cancel(application: Application, *, by: User) -> Interview:
    """Free the booked slot; the file waits for a new booking. Cancelling twice is one."""
    with transaction.atomic():
        locked = _locked(application)
        interview = Interview.objects.select_for_update().filter(application=locked).first()
        if interview is None:
            raise IllegalTransition(_("This file is not invited to an interview."))
        cutoff = _may_change(interview, locked, by)
        if interview.state == InterviewState.INVITED:
            return interview
        slot = interview.slot
        if interview.state != InterviewState.BOOKED or slot is None:
            raise IllegalTransition(
                _("The interview has taken place."), details={"state": interview.state}
            )
        if slot.starts_at <= timezone.now() + cutoff:
            raise ValidationFailed(
                _("Your interview is too close to be cancelled: contact the admissions office."),
                details={"field": "slot"},
            )
        interview.slot = None
        interview.state = InterviewState.INVITED
        interview.save(update_fields=["slot", "state"])
        transition(locked, action="cancel_interview", by=by, details={"slot": slot.pk})
        signals.interview_cancelled.send(
            sender=Application, application_id=locked.pk, slot_id=slot.pk, by=by
        )
    return interview


def _gradable(application: Application, by: User) -> tuple[Application, Interview]:
    locked = _locked(application)
    interview = Interview.objects.select_for_update().filter(application=locked).first()
    if interview is None or interview.slot is None:
        raise IllegalTransition(_("No interview is booked on this file."))
    slot = interview.slot
    if slot.interviewer_id != by.pk:
        require(by, locked, INTERVIEW_GRADERS)
    if slot.starts_at > timezone.now():
        raise IllegalTransition(
            _("The interview has not started yet."), details={"starts_at": slot.starts_at}
        )
    return locked, interview


def record_interview(
    application: Application,
    *,
    by: User,
    scores: Mapping[str, Score],
    recommendation: Recommendation,
    comment: str = "",
) -> Interview:
    """The interviewer's grid (the rulebook's criteria) and recommendation."""
    recommendation = Recommendation(recommendation)
    with transaction.atomic():
        locked, interview = _gradable(application, by)
        if interview.state == InterviewState.HELD:
            if interview.recommendation == recommendation:
                return interview
            raise IllegalTransition(_("This interview's grid is already recorded."))
        if interview.state != InterviewState.BOOKED:
            raise IllegalTransition(
                _("The candidate was recorded as absent."), details={"state": interview.state}
            )
        grid = checked_grid(locked.rules.interview.criteria, scores)
        interview.scores = grid
        interview.recommendation = recommendation
        interview.comment = comment.strip()
        interview.state = InterviewState.HELD
        interview.recorded_by = by
        interview.recorded_at = timezone.now()
        interview.save()
        transition(
            locked,
            action="record_interview",
            by=by,
            details={
                "recommendation": recommendation.value,
                "scores": {code: value["score"] for code, value in grid.items()},
            },
        )
        signals.interview_recorded.send(
            sender=Application, application_id=locked.pk, no_show=False, by=by
        )
    return interview


def record_no_show(application: Application, *, by: User, comment: str = "") -> Interview:
    """The candidate did not come: recorded, and the file is admissible again (not
    "interviewed": nothing was held), waiting to be invited again or sent to the jury."""
    with transaction.atomic():
        locked, interview = _gradable(application, by)
        if interview.state == InterviewState.NO_SHOW:
            return interview
        if interview.state != InterviewState.BOOKED:
            raise IllegalTransition(
                _("This interview's grid is already recorded."),
                details={"state": interview.state},
            )
        slot = interview.slot
        interview.state = InterviewState.NO_SHOW
        interview.no_shows += 1
        interview.comment = comment.strip()
        interview.recorded_by = by
        interview.recorded_at = timezone.now()
        interview.save()
        details: dict[str, object] = {"no_show": True, "no_shows": interview.no_shows}
        if slot is not None:
            details |= {"slot": slot.pk, "starts_at": slot.starts_at.isoformat()}
        transition(locked, action="record_no_show", by=by, details=details)
        signals.interview_recorded.send(
            sender=Application, application_id=locked.pk, no_show=True, by=by
        )
    return interview
