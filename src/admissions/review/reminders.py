"""The reminder of a booked interview, sent on the day before it (Paris dates).

A periodic job (registered with the scheduler by the review's AppConfig): it selects the
interviews booked for tomorrow, and sends each reminder once per slot. The reminder is an
event of the file's history (`interview.reminded`, with the slot), which is also what keeps
a second run, or a run on another machine, from sending it again; a booking moved to
another slot is reminded again for its new slot.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from admissions.applications.history import record_event
from admissions.applications.models import ApplicationEvent
from admissions.notify import decision_emails
from admissions.review.models import Interview, InterviewState
from admissions.rules.deadlines import end_of_day, paris_date, start_of_day
from admissions.rules.vocabulary import InterviewMode


def reminder_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The interviews reminded at `now`: those starting on the next Paris day."""
    tomorrow = paris_date(now) + dt.timedelta(days=1)
    return start_of_day(tomorrow), end_of_day(tomorrow)


def remind_interviews(now: dt.datetime) -> int:
    """Queue the reminders of tomorrow's interviews not reminded yet; returns how many."""
    start, end = reminder_window(now)
    booked = (
        Interview.objects.filter(
            state=InterviewState.BOOKED, slot__starts_at__gte=start, slot__starts_at__lt=end
        )
        .select_related(
            "slot",
            "application__candidate",
            "application__campaign",
            "application__programme__institution",
            "application__programme__site",
        )
        .order_by("slot__starts_at", "pk")
    )
    sent = 0
    for interview in booked:
        slot = interview.slot
        application = interview.application
        if slot is None:
            continue
        with transaction.atomic():
            already = ApplicationEvent.objects.filter(
                application=application, action="interview.reminded", details__slot=slot.pk
            ).exists()
            if already:
                continue
            event = record_event(
                application,
                action="interview.reminded",
                by=None,
                details={"slot": slot.pk, "starts_at": slot.starts_at.isoformat()},
            )
            modes = application.rules.interview.modes
            decision_emails.send_interview_reminder(
                application,
                event=f"event:{event.pk}",
                at=slot.starts_at,
                mode=InterviewMode.VIDEO if slot.video_link or not modes else modes[0],
                minutes=slot.duration_minutes,
                where=slot.video_link,
            )
            sent += 1
    return sent


def run_job(now: dt.datetime) -> str:
    return f"interview reminders queued: {remind_interviews(now)}"
