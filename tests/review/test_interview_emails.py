"""The interview's emails: the invitation to book (with the link), the booking's iCalendar
invitation attached, and the reminder on the day before, sent once per slot."""

from __future__ import annotations

import datetime as dt

import time_machine
from icalendar import Calendar

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.core.scheduler import with_registered
from admissions.notify.delivery import message_of
from admissions.notify.models import Notification
from admissions.people.models import Role
from admissions.review import interviews
from admissions.review.models import InterviewSlot
from admissions.review.reminders import remind_interviews
from admissions.rules.deadlines import PARIS
from admissions.workflow.jobs import DELIVERY, JOBS
from tests.factories import programme_of, staff_member
from tests.review.conftest import SubmittedFile, admissible, complete, officer_of


def _invited(bs: Campaign, submitted: SubmittedFile) -> Application:
    application = admissible(complete(submitted(bs)))
    interviews.invite(application, by=officer_of(bs))
    return application


def _slot(bs: Campaign, starts_at: dt.datetime) -> InterviewSlot:
    interviewer = staff_member(Role.INTERVIEWER, programme=programme_of(bs))
    return interviews.publish_slot(
        programme_of(bs),
        by=officer_of(bs),
        starts_at=starts_at,
        interviewer=interviewer,
        video_link="https://visio.example.org/ms-1",
    )


def test_the_invitation_to_book_links_to_the_booking_page(
    bs: Campaign, submitted: SubmittedFile
) -> None:
    application = _invited(bs, submitted)
    interviews.invite(application, by=officer_of(bs))
    (email,) = Notification.objects.filter(application=application, kind="interview_to_book")
    assert f"/me/applications/{application.reference}/interview/" in email.text
    assert email.to_address == application.candidate.email


def test_the_booking_carries_its_calendar_invitation(
    bs: Campaign, submitted: SubmittedFile
) -> None:
    application = _invited(bs, submitted)
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    slot = _slot(bs, starts)
    interviews.book(application, slot=slot, by=application.candidate)
    email = Notification.objects.get(application=application, kind="interview_invitation")
    message = message_of(email)
    (attached,) = [a for a in message.attachments if a[2].startswith("text/calendar")]
    name, content, mimetype = attached
    assert (name, mimetype) == ("invitation.ics", "text/calendar; method=REQUEST")
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == slot.starts_at.astimezone(dt.UTC).replace(microsecond=0)
    assert str(event["uid"]).startswith(f"interview-{application.reference}@")
    assert str(event["location"]) == slot.video_link


def test_the_reminder_goes_on_the_day_before_once_per_slot(
    bs: Campaign, submitted: SubmittedFile
) -> None:
    application = _invited(bs, submitted)
    # An interview at 09:00 Paris on the 20th: reminded on the 19th, Paris time.
    day = (dt.datetime.now(PARIS) + dt.timedelta(days=6)).date()
    starts = dt.datetime.combine(day, dt.time(9, 0), tzinfo=PARIS)
    slot = _slot(bs, starts)
    interviews.book(application, slot=slot, by=application.candidate)
    two_days_before = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(23, 30), tzinfo=PARIS)
    with time_machine.travel(two_days_before, tick=False):
        assert remind_interviews(dt.datetime.now(dt.UTC)) == 0
    # 00:10 in Paris on the day before is still the 18th in UTC: Paris dates decide.
    day_before = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(0, 10), tzinfo=PARIS)
    with time_machine.travel(day_before, tick=False):
        assert remind_interviews(dt.datetime.now(dt.UTC)) == 1
        assert remind_interviews(dt.datetime.now(dt.UTC)) == 0
    (email,) = Notification.objects.filter(application=application, kind="interview_reminder")
    assert slot.video_link in email.text
    recorded = ApplicationEvent.objects.get(application=application, action="interview.reminded")
    assert recorded.details["slot"] == slot.pk
    on_the_day = dt.datetime.combine(day, dt.time(8, 0), tzinfo=PARIS)
    with time_machine.travel(on_the_day, tick=False):
        assert remind_interviews(dt.datetime.now(dt.UTC)) == 0


def test_the_reminder_job_runs_with_the_others_before_the_delivery() -> None:
    names = [job.name for job in with_registered(JOBS, DELIVERY)]
    assert names.index("interview_reminders") < names.index("deliver_due_emails")
    assert names.index("jury_publications") < names.index("waiting_list")
    assert names[-2:] == ["deliver_due_emails", "deliver_due_webhooks"]
