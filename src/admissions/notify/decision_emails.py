"""The emails of the review, the interview, the jury and the offered place.

The review, interview and jury services call these in their own transactions; the
confirmation of a place (`workflow.confirmation`) calls the last ones today. Decisions and
opinions are worded as the campaign's rulebook words them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.notify.bulk import ToCandidate, to_candidates
from admissions.notify.context import (
    day,
    file_url,
    file_values,
    language_of,
    moment,
    money,
    speaking,
    text,
    url,
)
from admissions.notify.models import Notification
from admissions.notify.outbox import to_candidate
from admissions.notify.restricted import Value
from admissions.rules.vocabulary import InterviewMode


def _status_page(application: Application) -> dict[str, Value]:
    return file_values(
        application, link=file_url("portal:application_status", application.reference)
    )


# Review ---------------------------------------------------------------------------------


def _review(application: Application, code: str, event: str, favourable: bool) -> Notification:
    review = application.rules.review
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
        values["opinion"] = text(review.positive if favourable else review.negative)
    return to_candidate(code, application, event=event, values=values)


def send_admissible(application: Application, *, event: str) -> Notification:
    """`record_admissible`: the rulebook's favourable words ("admissible", "avis favorable")."""
    return _review(application, "admissible", event, favourable=True)


def send_not_admissible(application: Application, *, event: str) -> Notification:
    return _review(application, "not_admissible", event, favourable=False)


# Interview ------------------------------------------------------------------------------


def _mode(mode: InterviewMode | str) -> str:
    labels = {
        InterviewMode.VIDEO: _("video"),
        InterviewMode.PHONE: _("phone"),
        InterviewMode.ON_SITE: _("on site"),
    }
    return str(labels.get(InterviewMode(mode), mode))


def _interview(
    application: Application,
    code: str,
    event: str,
    at: dt.datetime,
    mode: InterviewMode | str,
    minutes: int,
    where: str,
    calendar: str = "",
) -> Notification:
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
        values |= {
            "interview_at": moment(at),
            "interview_mode": _mode(mode),
            "interview_minutes": str(minutes),
            "interview_where": where,
        }
    return to_candidate(code, application, event=event, values=values, calendar=calendar)


def send_interview_to_book(application: Application, *, event: str) -> Notification:
    """`interview.invited`: the file is invited; the link opens the page to book a slot."""
    with speaking(language_of(application.candidate)):
        values = file_values(
            application, link=url("portal:application_interview", application.reference)
        )
    return to_candidate("interview_to_book", application, event=event, values=values)


def send_interview_invitation(
    application: Application,
    *,
    event: str,
    at: dt.datetime,
    mode: InterviewMode | str,
    minutes: int,
    where: str,
    calendar: str = "",
) -> Notification:
    """`schedule_interview` (first slot): when, how, how long, the link or the number, and
    the iCalendar invitation (`calendar`) attached."""
    return _interview(
        application, "interview_invitation", event, at, mode, minutes, where, calendar
    )


def send_interview_changed(
    application: Application,
    *,
    event: str,
    at: dt.datetime,
    mode: InterviewMode | str,
    minutes: int,
    where: str,
    calendar: str = "",
) -> Notification:
    """`schedule_interview` again: the new slot replaces the old one (same calendar UID)."""
    return _interview(application, "interview_changed", event, at, mode, minutes, where, calendar)


def send_interview_reminder(
    application: Application,
    *,
    event: str,
    at: dt.datetime,
    mode: InterviewMode | str,
    minutes: int,
    where: str,
) -> Notification:
    return _interview(application, "interview_reminder", event, at, mode, minutes, where)


# Jury -----------------------------------------------------------------------------------


DECISION_KINDS = {
    Status.ADMITTED: "decision_admitted",
    Status.ADMITTED_CONDITIONALLY: "decision_admitted_conditionally",
    Status.WAITLISTED: "decision_waitlisted",
    Status.NOT_ADMITTED: "decision_not_admitted",
}


def decision_values(application: Application, status: Status, **extra: str) -> dict[str, Value]:
    wording = application.rules.jury.wording
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
        values |= {"decision": str(status.label), "jury_wording": text(wording), **extra}
    return values


def _decision(
    application: Application, code: str, status: Status, event: str, **extra: str
) -> Notification:
    values = decision_values(application, status, **extra)
    return to_candidate(code, application, event=event, values=values)


def send_many(emails: Sequence[tuple[str, ToCandidate]]) -> list[Notification]:
    """Queue many emails at once (a publication), each as its `send_*` function would."""
    by_code: dict[str, list[ToCandidate]] = defaultdict(list)
    for code, email in emails:
        by_code[code].append(email)
    return [row for code, items in by_code.items() for row in to_candidates(code, items)]


def send_decision_admitted(application: Application, *, event: str) -> Notification:
    """`publish_admitted`; the confirmation email (`send_confirmation_opened`) follows."""
    return _decision(application, "decision_admitted", Status.ADMITTED, event)


def send_decision_admitted_conditionally(
    application: Application, *, event: str, condition: str
) -> Notification:
    """`publish_admitted_conditionally`: `condition` says what lifts it (the diploma...)."""
    return _decision(
        application,
        "decision_admitted_conditionally",
        Status.ADMITTED_CONDITIONALLY,
        event,
        condition=condition,
    )


def send_decision_waitlisted(application: Application, *, event: str, rank: int) -> Notification:
    return _decision(application, "decision_waitlisted", Status.WAITLISTED, event, rank=str(rank))


def send_decision_not_admitted(application: Application, *, event: str) -> Notification:
    return _decision(application, "decision_not_admitted", Status.NOT_ADMITTED, event)


# The offered place ----------------------------------------------------------------------


def send_waitlist_promotion(
    application: Application, *, event: str, confirm_by: dt.date
) -> Notification:
    """`admit_from_waitlist`: a released place goes to this candidate."""
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
        values["confirm_by"] = day(confirm_by)
    return to_candidate("waitlist_promotion", application, event=event, values=values)


def send_confirmation_opened(
    application: Application,
    *,
    event: str,
    confirm_by: dt.date,
    amounts: Sequence[tuple[Promise | str, int]],
) -> Notification:
    """A place is offered: the last day to confirm and the (label, cents) to pay first."""
    email = confirmation_opened(application, event=event, confirm_by=confirm_by, amounts=amounts)
    return to_candidate("confirmation_opened", application, event=event, values=email.values)


def confirmation_opened(
    application: Application,
    *,
    event: str,
    confirm_by: dt.date,
    amounts: Sequence[tuple[Promise | str, int]],
) -> ToCandidate:
    """The email of `send_confirmation_opened`, for `send_many`."""
    wording = application.rules.confirmation.wording
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
        values |= {
            "confirm_by": day(confirm_by),
            "amounts": _amounts(amounts),
            "confirmation_wording": text(wording),
        }
    return ToCandidate(application=application, event=event, values=values)


def send_confirmation_reminder(
    application: Application,
    *,
    event: str,
    confirm_by: dt.date,
    days_left: int,
    amounts: Sequence[tuple[Promise | str, int]],
) -> Notification:
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
        values |= {
            "confirm_by": day(confirm_by),
            "days_left": str(days_left),
            "amounts": _amounts(amounts),
        }
    return to_candidate("confirmation_reminder", application, event=event, values=values)


def send_place_confirmed(application: Application, *, event: str) -> Notification:
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
    return to_candidate("place_confirmed", application, event=event, values=values)


def send_place_released(
    application: Application, *, event: str, confirm_by: dt.date
) -> Notification:
    """`lapse`: the window closed without a confirmation."""
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
        values["confirm_by"] = day(confirm_by)
    return to_candidate("place_released", application, event=event, values=values)


def _amounts(amounts: Sequence[tuple[Promise | str, int]]) -> list[str]:
    return [
        _("%(charge)s: %(amount)s") % {"charge": str(label), "amount": money(cents)}
        for label, cents in amounts
    ]


# The condition of an admission -----------------------------------------------------------


def send_condition_lifted(application: Application, *, event: str) -> Notification:
    """`lift_condition(_confirmed)`: the diploma was received and accepted."""
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
    return to_candidate("condition_lifted", application, event=event, values=values)


def send_condition_lapsed(
    application: Application, *, event: str, deadline: dt.date
) -> Notification:
    """`lapse_condition`: the diploma did not come by the rulebook's date."""
    with speaking(language_of(application.candidate)):
        values = _status_page(application)
        values["deadline"] = day(deadline)
    return to_candidate("condition_lapsed", application, event=event, values=values)
