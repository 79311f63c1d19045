"""The candidate's emails of the review, queued by the review's own signals.

Each receiver runs inside the transaction of the move that sent the signal, so a move
rolled back sends nothing. An email's event is the file's last history row at that moment
(the move's own row), so the same move heard twice queues one email.
"""

from __future__ import annotations

from typing import Any

from admissions.applications.models import Application, ApplicationEvent
from admissions.notify import decision_emails, file_emails
from admissions.notify.context import language_of, speaking
from admissions.review import signals
from admissions.review.calendar import invitation_ics
from admissions.review.models import Interview, InterviewSlot
from admissions.rules.vocabulary import InterviewMode


def _file(application_id: int) -> Application:
    return Application.objects.select_related("campaign", "programme", "candidate").get(
        pk=application_id
    )


def _event(application: Application) -> str:
    last = ApplicationEvent.objects.filter(application=application).order_by("-pk").first()
    return f"event:{last.pk if last is not None else 0}"


def _file_complete(sender: Any, *, application_id: int, **kwargs: Any) -> None:
    application = _file(application_id)
    file_emails.send_file_complete(application, event=_event(application))


def _admissibility(sender: Any, *, application_id: int, outcome: str, **kwargs: Any) -> None:
    application = _file(application_id)
    if outcome == "positive":
        decision_emails.send_admissible(application, event=_event(application))
    else:
        decision_emails.send_not_admissible(application, event=_event(application))


def _slot_values(application: Application, slot_id: int) -> dict[str, Any]:
    slot = InterviewSlot.objects.get(pk=slot_id)
    modes = application.rules.interview.modes
    mode = InterviewMode.VIDEO if slot.video_link or not modes else modes[0]
    return {
        "at": slot.starts_at,
        "mode": mode,
        "minutes": slot.duration_minutes,
        "where": slot.video_link,
    }


def _calendar(application: Application) -> str:
    """The booking as an iCalendar invitation, worded in the candidate's language."""
    interview = Interview.objects.select_related("slot", "slot__interviewer").get(
        application=application
    )
    interview.application = application
    with speaking(language_of(application.candidate)):
        return invitation_ics(interview).decode()


def _invited(sender: Any, *, application_id: int, **kwargs: Any) -> None:
    application = _file(application_id)
    decision_emails.send_interview_to_book(application, event=_event(application))


def _booked(sender: Any, *, application_id: int, slot_id: int, **kwargs: Any) -> None:
    application = _file(application_id)
    decision_emails.send_interview_invitation(
        application,
        event=_event(application),
        calendar=_calendar(application),
        **_slot_values(application, slot_id),
    )


def _moved(sender: Any, *, application_id: int, slot_id: int, **kwargs: Any) -> None:
    application = _file(application_id)
    decision_emails.send_interview_changed(
        application,
        event=_event(application),
        calendar=_calendar(application),
        **_slot_values(application, slot_id),
    )


def connect() -> None:
    signals.file_complete.connect(_file_complete, dispatch_uid="review.emails.complete")
    signals.admissibility_recorded.connect(_admissibility, dispatch_uid="review.emails.opinion")
    signals.interview_invited.connect(_invited, dispatch_uid="review.emails.invited")
    signals.interview_booked.connect(_booked, dispatch_uid="review.emails.booked")
    signals.interview_moved.connect(_moved, dispatch_uid="review.emails.moved")
