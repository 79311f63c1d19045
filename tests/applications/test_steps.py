"""Where a file stands among the rulebook's steps: every status, both shipped step lists."""

from __future__ import annotations

import pytest

from admissions.applications.lifecycle import TERMINAL, Status
from admissions.applications.steps import (
    NEXT_ACTION,
    NEXT_ACTION_TEXT,
    STEP_OF_STATUS,
    NextAction,
    StepState,
    next_action,
    shown_steps,
    step_for_status,
    step_positions,
)
from admissions.rules.vocabulary import Step
from tests.factories import rulebook_raw

S = Status
BS_STEPS = [Step(s["step"]) for s in rulebook_raw("imt-bs")["steps"]]
NORD_STEPS = [Step(s["step"]) for s in rulebook_raw("imt-nord-europe")["steps"]]
NORD_WITHOUT_INTERVIEW = [step for step in NORD_STEPS if step != Step.INTERVIEW]

EXPECTED_BS = {
    S.DRAFT: Step.APPLY,
    S.SUBMITTED: Step.REVIEW,
    S.FEE_AWAITED: Step.REVIEW,  # IMT-BS lists no fee step
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
    S.WITHDRAWN: Step.APPLY,
}


def test_the_shipped_step_lists_are_the_seeds() -> None:
    assert BS_STEPS == [Step.APPLY, Step.REVIEW, Step.INTERVIEW, Step.JURY, Step.CONFIRM]
    assert NORD_STEPS[:2] == [Step.APPLY, Step.FEE]
    assert Step.INTERVIEW in NORD_STEPS


def test_every_status_has_a_step_and_a_next_action() -> None:
    assert set(STEP_OF_STATUS) == set(Status)
    assert set(NEXT_ACTION) == set(Status)
    assert set(NEXT_ACTION_TEXT) == set(NextAction)


@pytest.mark.parametrize("status", list(Status))
def test_imt_bs_step_of_every_status(status: Status) -> None:
    assert step_for_status(status, BS_STEPS) == EXPECTED_BS[status]


@pytest.mark.parametrize("status", list(Status))
def test_a_missing_step_falls_on_the_next_listed_one(status: Status) -> None:
    step = step_for_status(status, NORD_WITHOUT_INTERVIEW)
    assert step in NORD_WITHOUT_INTERVIEW
    if EXPECTED_BS[status] == Step.INTERVIEW:
        assert step == Step.JURY
    elif status == S.FEE_AWAITED:
        assert step == Step.FEE  # the fee step IMT Nord Europe lists
    else:
        assert step == EXPECTED_BS[status]


@pytest.mark.parametrize("status", list(Status))
def test_positions_have_exactly_one_here_unless_completed(status: Status) -> None:
    positions = step_positions(status, BS_STEPS)
    assert [p.step for p in positions] == BS_STEPS
    here = [p for p in positions if p.state in (StepState.CURRENT, StepState.STOPPED)]
    if status in (S.CONFIRMED, S.CONFIRMED_CONDITIONALLY):
        assert here == []
        assert all(p.state == StepState.DONE for p in positions)
    else:
        assert len(here) == 1
        index = positions.index(here[0])
        assert all(p.state == StepState.DONE for p in positions[:index])
        assert all(p.state == StepState.UPCOMING for p in positions[index + 1 :])


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_final_statuses_stop_the_file(status: Status) -> None:
    positions = step_positions(status, BS_STEPS)
    assert StepState.STOPPED in {p.state for p in positions}
    assert next_action(status) == NextAction.NOTHING


def test_a_withdrawn_file_stops_where_it_was_withdrawn() -> None:
    assert step_for_status(S.WITHDRAWN, BS_STEPS, withdrawn_from=S.ON_AGENDA) == Step.JURY
    positions = step_positions(S.WITHDRAWN, BS_STEPS, withdrawn_from=S.INTERVIEW_SCHEDULED)
    states = {p.step: p.state for p in positions}
    assert states[Step.INTERVIEW] == StepState.STOPPED
    assert states[Step.REVIEW] == StepState.DONE
    assert states[Step.JURY] == StepState.UPCOMING


def test_an_unfavourable_opinion_goes_to_the_jury_where_the_rulebook_says_so() -> None:
    assert step_for_status(S.NOT_ADMISSIBLE, BS_STEPS) == Step.REVIEW
    assert (
        step_for_status(S.NOT_ADMISSIBLE, NORD_STEPS, negative_review_ends_file=False) == Step.JURY
    )
    positions = step_positions(S.NOT_ADMISSIBLE, NORD_STEPS, negative_review_ends_file=False)
    assert StepState.STOPPED not in {p.state for p in positions}
    assert next_action(S.NOT_ADMISSIBLE, negative_review_ends_file=False) == (
        NextAction.WAIT_FOR_JURY
    )


def test_a_draft_is_at_the_first_step_with_everything_to_come() -> None:
    positions = step_positions(S.DRAFT, NORD_STEPS)
    assert positions[0].state == StepState.CURRENT
    assert {p.state for p in positions[1:]} == {StepState.UPCOMING}
    assert next_action(S.DRAFT) == NextAction.COMPLETE_AND_SUBMIT


def test_an_optional_step_shows_only_once_reached() -> None:
    optional = {Step.INTERVIEW}
    assert shown_steps(NORD_STEPS, optional, [S.DRAFT, S.SUBMITTED]) == NORD_WITHOUT_INTERVIEW
    # Admissible waits for an interview that may never come.
    assert shown_steps(NORD_STEPS, optional, [S.ADMISSIBLE]) == NORD_WITHOUT_INTERVIEW
    assert shown_steps(NORD_STEPS, optional, [S.ADMISSIBLE, S.INTERVIEW_SCHEDULED]) == (NORD_STEPS)
    assert shown_steps(BS_STEPS, set(), [S.DRAFT]) == BS_STEPS


def test_admitted_candidates_must_confirm() -> None:
    assert next_action(S.ADMITTED) == NextAction.CONFIRM_PLACE
    assert next_action(S.ADMITTED_CONDITIONALLY) == NextAction.CONFIRM_PLACE
    assert next_action(S.INCOMPLETE) == NextAction.REPLACE_DOCUMENTS
