"""The life cycle of an application: its statuses and the one table of moves between them.

Drawn in docs/lifecycle.md. Only `applications.services.transition` changes a status, and it
refuses any move this table does not list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    # Submitted on a declared bank transfer of the fee: studied once the transfer is matched.
    FEE_AWAITED = "fee_awaited", _("Submitted, fee awaited")
    INCOMPLETE = "incomplete", _("Documents to replace")
    COMPLETE = "complete", _("Complete, under review")
    ADMISSIBLE = "admissible", _("Admissible")
    NOT_ADMISSIBLE = "not_admissible", _("Not admissible")
    INTERVIEW_SCHEDULED = "interview_scheduled", _("Interview scheduled")
    INTERVIEWED = "interviewed", _("Interviewed")
    ON_AGENDA = "on_agenda", _("Before the jury")
    ADMITTED = "admitted", _("Admitted")
    ADMITTED_CONDITIONALLY = "admitted_conditionally", _("Admitted on condition")
    WAITLISTED = "waitlisted", _("On the waiting list")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    CONFIRMED = "confirmed", _("Place confirmed")
    CONFIRMED_CONDITIONALLY = "confirmed_conditionally", _("Place confirmed on condition")
    DECLINED = "declined", _("Place declined")
    # Why (not confirmed in time, condition not met) is in the history, on the status page.
    LAPSED = "lapsed", _("Place released")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status

# The steps where a file waits on the staff's move (not on the candidate's).
STAFF_STEPS = frozenset(
    {
        S.SUBMITTED,
        S.COMPLETE,
        S.ADMISSIBLE,
        S.INTERVIEW_SCHEDULED,
        S.INTERVIEWED,
        S.ON_AGENDA,
    }
)

# Files the candidate may still withdraw: everything not yet final.
WITHDRAWABLE = frozenset(
    {
        S.DRAFT,
        S.SUBMITTED,
        S.FEE_AWAITED,
        S.INCOMPLETE,
        S.COMPLETE,
        S.ADMISSIBLE,
        S.INTERVIEW_SCHEDULED,
        S.INTERVIEWED,
        S.ON_AGENDA,
        S.WAITLISTED,
        S.CONFIRMED,
        S.CONFIRMED_CONDITIONALLY,
    }
)
# No move leaves these (a confirmed place can still be given up, so it is not here).
TERMINAL = frozenset({S.NOT_ADMITTED, S.DECLINED, S.LAPSED, S.WITHDRAWN})
EDITABLE_BY_CANDIDATE = frozenset({S.DRAFT})
# A file gets its submission time on entering one of these.
SUBMITTED_STATUSES = frozenset({S.SUBMITTED, S.FEE_AWAITED})
# Admitted files, confirmed or not: the candidate provides what registration asks.
REGISTERING = frozenset(
    {S.ADMITTED, S.ADMITTED_CONDITIONALLY, S.CONFIRMED, S.CONFIRMED_CONDITIONALLY}
)
PUBLISHED_DECISIONS = frozenset(
    {S.ADMITTED, S.ADMITTED_CONDITIONALLY, S.WAITLISTED, S.NOT_ADMITTED}
)


@dataclass(frozen=True)
class Move:
    action: str  # dotted history name: application.<action>
    sources: frozenset[Status]
    target: Status


def _move(action: str, sources: set[Status] | frozenset[Status], target: Status) -> Move:
    return Move(action=action, sources=frozenset(sources), target=target)


MOVES: dict[str, Move] = {
    move.action: move
    for move in [
        _move("submit", {S.DRAFT}, S.SUBMITTED),
        # The fee's bank transfer is declared, not yet matched: only a complete file is studied.
        _move("submit_awaiting_fee", {S.DRAFT}, S.FEE_AWAITED),
        _move("receive_fee", {S.FEE_AWAITED}, S.SUBMITTED),
        _move("withdraw", WITHDRAWABLE, S.WITHDRAWN),
        _move("request_documents", {S.SUBMITTED, S.COMPLETE}, S.INCOMPLETE),
        _move("resubmit", {S.INCOMPLETE}, S.SUBMITTED),
        _move("mark_complete", {S.SUBMITTED}, S.COMPLETE),
        _move("record_admissible", {S.COMPLETE}, S.ADMISSIBLE),
        _move("record_not_admissible", {S.COMPLETE}, S.NOT_ADMISSIBLE),
        _move("schedule_interview", {S.ADMISSIBLE, S.INTERVIEW_SCHEDULED}, S.INTERVIEW_SCHEDULED),
        # A booking cancelled: the file waits for the candidate to book another slot.
        _move("cancel_interview", {S.INTERVIEW_SCHEDULED}, S.ADMISSIBLE),
        _move("record_interview", {S.INTERVIEW_SCHEDULED}, S.INTERVIEWED),
        # The candidate did not come: no interview took place, so the file is not
        # "interviewed"; it waits, admissible, for a new invitation (or goes to the jury
        # from there with the absence in its history).
        _move("record_no_show", {S.INTERVIEW_SCHEDULED}, S.ADMISSIBLE),
        # Where an unfavourable opinion does not end the file, it still goes to the jury.
        _move("place_on_agenda", {S.ADMISSIBLE, S.NOT_ADMISSIBLE, S.INTERVIEWED}, S.ON_AGENDA),
        # A session published without deciding the file: it goes to the next session.
        _move("carry_over", {S.ON_AGENDA}, S.ON_AGENDA),
        _move("publish_admitted", {S.ON_AGENDA}, S.ADMITTED),
        _move("publish_admitted_conditionally", {S.ON_AGENDA}, S.ADMITTED_CONDITIONALLY),
        _move("publish_waitlisted", {S.ON_AGENDA}, S.WAITLISTED),
        _move("publish_not_admitted", {S.ON_AGENDA}, S.NOT_ADMITTED),
        _move("admit_from_waitlist", {S.WAITLISTED}, S.ADMITTED),
        _move("admit_from_waitlist_conditionally", {S.WAITLISTED}, S.ADMITTED_CONDITIONALLY),
        _move("confirm", {S.ADMITTED}, S.CONFIRMED),
        _move("confirm_conditionally", {S.ADMITTED_CONDITIONALLY}, S.CONFIRMED_CONDITIONALLY),
        _move("lift_condition", {S.ADMITTED_CONDITIONALLY}, S.ADMITTED),
        _move("lift_condition_confirmed", {S.CONFIRMED_CONDITIONALLY}, S.CONFIRMED),
        _move("decline", {S.ADMITTED, S.ADMITTED_CONDITIONALLY, S.WAITLISTED}, S.DECLINED),
        _move("lapse", {S.ADMITTED, S.ADMITTED_CONDITIONALLY}, S.LAPSED),
        # The diploma of an admission on condition did not come by the rulebook's date.
        _move("lapse_condition", {S.ADMITTED_CONDITIONALLY, S.CONFIRMED_CONDITIONALLY}, S.LAPSED),
        # The consulate refused the visa (its decision accepted by the office): the place goes.
        _move("release_visa_refused", REGISTERING, S.WITHDRAWN),
    ]
}


def allowed_actions(status: Status | str) -> list[str]:
    return [action for action, move in MOVES.items() if status in move.sources]


# Each language's labels of the statuses, by value: a list of fifty files names a status per
# row, and writing every label again through gettext took a twentieth of the staff's home.
_LABELS: dict[str | None, dict[str, str]] = {}


def status_labels() -> dict[str, str]:
    """The label of each status in the active language, by value."""
    language = get_language()
    found = _LABELS.get(language)
    if found is None:
        found = _LABELS[language] = {status.value: str(status.label) for status in Status}
    return found
