"""The iCalendar invitation (RFC 5545) of a booked interview, attached to its confirmation."""

from __future__ import annotations

import datetime as dt
import importlib

from django.conf import settings
from django.utils.translation import gettext as _

from admissions.review.models import Interview


def invitation_ics(interview: Interview, *, now: dt.datetime | None = None) -> bytes:
    """One VEVENT in UTC; its UID stays the same when the booking moves (SEQUENCE grows)."""
    slot = interview.slot
    if slot is None:
        raise ValueError("an interview without a slot has no invitation")
    # icalendar (with its time-zone tables) loads with the first invitation, not in every
    # web worker at start-up (docs/operations.md).
    ical = importlib.import_module("icalendar")
    application = interview.application
    calendar = ical.Calendar()
    calendar.add("prodid", "-//Admissions//Interviews//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = ical.Event()
    domain = getattr(settings, "ADMISSIONS_CALENDAR_DOMAIN", "admissions.invalid")
    event.add("uid", f"interview-{application.reference}@{domain}")
    event.add("dtstamp", (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    event.add("dtstart", slot.starts_at.astimezone(dt.UTC))
    event.add("dtend", slot.ends_at.astimezone(dt.UTC))
    event.add(
        "sequence", application.events.filter(action="application.schedule_interview").count()
    )
    event.add(
        "summary",
        _("Admission interview: %(programme)s") % {"programme": application.programme.name},
    )
    if slot.video_link:
        event.add("location", ical.vText(slot.video_link))
        event.add("url", slot.video_link)
    event.add("description", _("Application %(ref)s") % {"ref": application.reference})
    if slot.interviewer.email:
        organizer = ical.vCalAddress(f"mailto:{slot.interviewer.email}")
        event.add("organizer", organizer)
    if application.candidate.email:
        attendee = ical.vCalAddress(f"mailto:{application.candidate.email}")
        attendee.params["role"] = ical.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    encoded: bytes = calendar.to_ical()
    return encoded
