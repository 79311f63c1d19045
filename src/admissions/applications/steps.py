"""Where a file stands among the steps the candidate sees, and what they must do next.

Pure functions of a status and the rulebook's list of steps: no database, no request.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from admissions.applications.lifecycle import Status
from admissions.rules.vocabulary import Step

S = Status

# The order every rulebook's steps follow; a rulebook lists a subset of them.
CANONICAL_ORDER: tuple[Step, ...] = (
    Step.APPLY,
    Step.FEE,
    Step.REVIEW,
    Step.INTERVIEW,
    Step.JURY,
    Step.CONFIRM,
)

# The step a file is at while it has this status.
STEP_OF_STATUS: dict[Status, Step] = {
    S.DRAFT: Step.APPLY,
    S.SUBMITTED: Step.REVIEW,
    S.FEE_AWAITED: Step.FEE,
    S.INCOMPLETE: Step.REVIEW,
    S.COMPLETE: Step.REVIEW,
    S.ADMISSIBLE: Step.INTERVIEW,
    S.NOT_ADMISSIBLE: Step.REVIEW,
    S.INTERVIEW_SCHEDULED: Step.INTERVIEW,
    S.INTERVIEWED: Step.JURY,
    S.ON_AGENDA: Step.JURY,
    S.ADMITTED: Step.CONFIRM,
    S.ADMITTED_CONDITIONALLY: Step.CONFIRM,
    S.WAITLISTED: Step.JURY,
    S.NOT_ADMITTED: Step.JURY,
    S.CONFIRMED: Step.CONFIRM,
    S.CONFIRMED_CONDITIONALLY: Step.CONFIRM,
    S.DECLINED: Step.CONFIRM,
    S.LAPSED: Step.CONFIRM,
    S.WITHDRAWN: Step.APPLY,  # replaced by the step the file was withdrawn from
}

# The file went through every step.
COMPLETED = frozenset({S.CONFIRMED, S.CONFIRMED_CONDITIONALLY})
# The file ended before the last step.
STOPPED = frozenset({S.NOT_ADMITTED, S.DECLINED, S.LAPSED, S.WITHDRAWN})


# Statuses that wait for their step rather than being in it: an admissible file waits for
# an interview that may never happen where interviews are optional.
WAITING_FOR_STEP = frozenset({S.ADMISSIBLE})


def shown_steps(
    steps: Sequence[Step], optional: Collection[Step], statuses: Iterable[Status | str]
) -> list[Step]:
    """The rulebook's steps a file shows: an optional step only once the file reached it.

    `statuses` are every status the file has had (its history) and has.
    """
    reached = {
        STEP_OF_STATUS[Status(status)]
        for status in statuses
        if Status(status) not in WAITING_FOR_STEP
    }
    return [step for step in steps if step not in optional or step in reached]


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"
    STOPPED = "stopped"


@dataclass(frozen=True)
class StepPosition:
    step: Step
    state: StepState


def _present(step: Step, steps: Sequence[Step]) -> Step:
    """`step` if the rulebook lists it, else the next listed step (the last one at worst)."""
    if step in steps:
        return step
    after = CANONICAL_ORDER[CANONICAL_ORDER.index(step) + 1 :]
    for candidate in after:
        if candidate in steps:
            return candidate
    return steps[-1]


def step_for_status(
    status: Status | str,
    steps: Sequence[Step],
    *,
    withdrawn_from: Status | str | None = None,
    negative_review_ends_file: bool = True,
) -> Step:
    """The rulebook step a file with `status` is at.

    `withdrawn_from` is the status a withdrawn file had before (from its history).
    `negative_review_ends_file` is the rulebook's `review.negative_ends_application`: where
    it is false, a file with an unfavourable opinion waits for the jury.
    """
    if not steps:
        raise ValueError("a rulebook lists at least two steps")
    status = Status(status)
    if status == S.WITHDRAWN and withdrawn_from is not None:
        previous = Status(withdrawn_from)
        if previous != S.WITHDRAWN:
            return step_for_status(
                previous, steps, negative_review_ends_file=negative_review_ends_file
            )
    if status == S.NOT_ADMISSIBLE and not negative_review_ends_file:
        return _present(Step.JURY, steps)
    return _present(STEP_OF_STATUS[status], steps)


def step_positions(
    status: Status | str,
    steps: Sequence[Step],
    *,
    withdrawn_from: Status | str | None = None,
    negative_review_ends_file: bool = True,
) -> list[StepPosition]:
    """Every step of the rulebook in order, each done, current, upcoming or stopped."""
    status = Status(status)
    here = step_for_status(
        status,
        steps,
        withdrawn_from=withdrawn_from,
        negative_review_ends_file=negative_review_ends_file,
    )
    stopped = status in STOPPED or (status == S.NOT_ADMISSIBLE and negative_review_ends_file)
    index = list(steps).index(here)
    positions: list[StepPosition] = []
    for position, step in enumerate(steps):
        if status in COMPLETED or position < index:
            state = StepState.DONE
        elif position == index:
            state = StepState.STOPPED if stopped else StepState.CURRENT
        else:
            state = StepState.UPCOMING
        positions.append(StepPosition(step=step, state=state))
    return positions


class NextAction(StrEnum):
    COMPLETE_AND_SUBMIT = "complete_and_submit"
    WAIT_FOR_REVIEW = "wait_for_review"
    WAIT_FOR_FEE = "wait_for_fee"
    REPLACE_DOCUMENTS = "replace_documents"
    WAIT_FOR_INTERVIEW = "wait_for_interview"
    ATTEND_INTERVIEW = "attend_interview"
    WAIT_FOR_JURY = "wait_for_jury"
    CONFIRM_PLACE = "confirm_place"
    SEND_DIPLOMA = "send_diploma"
    WAIT_FOR_PLACE = "wait_for_place"
    NOTHING = "nothing"


NEXT_ACTION: dict[Status, NextAction] = {
    S.DRAFT: NextAction.COMPLETE_AND_SUBMIT,
    S.SUBMITTED: NextAction.WAIT_FOR_REVIEW,
    S.FEE_AWAITED: NextAction.WAIT_FOR_FEE,
    S.INCOMPLETE: NextAction.REPLACE_DOCUMENTS,
    S.COMPLETE: NextAction.WAIT_FOR_REVIEW,
    S.ADMISSIBLE: NextAction.WAIT_FOR_INTERVIEW,
    S.NOT_ADMISSIBLE: NextAction.NOTHING,
    S.INTERVIEW_SCHEDULED: NextAction.ATTEND_INTERVIEW,
    S.INTERVIEWED: NextAction.WAIT_FOR_JURY,
    S.ON_AGENDA: NextAction.WAIT_FOR_JURY,
    S.ADMITTED: NextAction.CONFIRM_PLACE,
    S.ADMITTED_CONDITIONALLY: NextAction.CONFIRM_PLACE,
    S.WAITLISTED: NextAction.WAIT_FOR_PLACE,
    S.NOT_ADMITTED: NextAction.NOTHING,
    S.CONFIRMED: NextAction.NOTHING,
    S.CONFIRMED_CONDITIONALLY: NextAction.SEND_DIPLOMA,
    S.DECLINED: NextAction.NOTHING,
    S.LAPSED: NextAction.NOTHING,
    S.WITHDRAWN: NextAction.NOTHING,
}

NEXT_ACTION_TEXT: dict[NextAction, Promise] = {
    NextAction.COMPLETE_AND_SUBMIT: _(
        "Complete your file (documents, texts, application fee) and submit it before the deadline."
    ),
    NextAction.WAIT_FOR_REVIEW: _(
        "Nothing to do for now: the admissions team is checking your file."
    ),
    NextAction.WAIT_FOR_FEE: _(
        "Your file is submitted. It is studied as soon as your transfer of the application fee "
        "reaches the school and is matched to your file."
    ),
    NextAction.REPLACE_DOCUMENTS: _(
        "The admissions office asks for the documents below. Send each one: your file goes "
        "back to the office as soon as they are all in."
    ),
    NextAction.WAIT_FOR_INTERVIEW: _(
        "Your file is admissible: you will be invited to an interview or presented to the jury."
    ),
    NextAction.ATTEND_INTERVIEW: _("Attend your interview at the time booked."),
    NextAction.WAIT_FOR_JURY: _("Nothing to do for now: your file goes to the admission jury."),
    NextAction.CONFIRM_PLACE: _("You are admitted: confirm your place before the deadline."),
    NextAction.SEND_DIPLOMA: _(
        "Your place is confirmed on condition: send your diploma as soon as you obtain it."
    ),
    NextAction.WAIT_FOR_PLACE: _(
        "You are on the waiting list: you will be told if a place becomes free."
    ),
    NextAction.NOTHING: _("Nothing more to do on this file."),
}


def next_action(status: Status | str, *, negative_review_ends_file: bool = True) -> NextAction:
    status = Status(status)
    if status == S.NOT_ADMISSIBLE and not negative_review_ends_file:
        return NextAction.WAIT_FOR_JURY
    return NEXT_ACTION[status]
