"""The status page's content: steps of the institution, next action and its date, history."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import translation

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.queries import history
from admissions.applications.steps import NextAction, StepState
from admissions.catalog.models import Campaign
from admissions.people.models import Role, User
from admissions.rules.deadlines import PARIS
from admissions.workflow.drafts import update_draft, withdraw
from admissions.workflow.fees import mark_fee_paid
from admissions.workflow.status import status_summary
from admissions.workflow.submission import submit
from tests.factories import (
    draft,
    eligible_candidate,
    programme_of,
    ready_application,
    staff_member,
)


def states(summary: object) -> list[tuple[str, str]]:
    return [(step.code, step.state) for step in summary.steps]  # type: ignore[attr-defined]


def test_imt_bs_shows_its_five_steps(bs: Campaign, candidate: User) -> None:
    application = draft(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    with translation.override("en"):
        summary = status_summary(application)
    assert [step.code for step in summary.steps] == [
        "apply",
        "review",
        "interview",
        "jury",
        "confirm",
    ]
    assert summary.steps[0].label == "You submit your application"
    assert summary.steps[0].state == StepState.CURRENT
    assert summary.next_action == NextAction.COMPLETE_AND_SUBMIT
    # IMT-BS closes on 13 September 2024: the end of that day in Paris.
    assert summary.due_by == dt.datetime(2024, 9, 13, 22, 0, tzinfo=dt.UTC)


def test_nord_europe_hides_the_interview_until_there_is_one(
    nord: Campaign, candidate: User
) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    summary = status_summary(application)
    assert states(summary) == [
        ("apply", "done"),
        ("fee", "done"),
        ("review", "current"),
        ("jury", "upcoming"),
        ("confirm", "upcoming"),
    ]
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for action in ("mark_complete", "record_admissible", "schedule_interview"):
        transition(application, action=action, by=officer)
    assert [s.code for s in status_summary(application).steps] == [
        "apply",
        "fee",
        "review",
        "interview",
        "jury",
        "confirm",
    ]
    assert dict(states(status_summary(application)))["interview"] == "current"


def test_a_candidate_abroad_sees_the_international_deadline(nord: Campaign) -> None:
    abroad = eligible_candidate(nationality="TN", residence_country="TN")
    summary = status_summary(draft(abroad, nord))
    # 17 March 2024 is in winter time: midnight in Paris is 23:00 UTC.
    assert summary.due_by == dt.datetime(2024, 3, 17, 23, 0, tzinfo=dt.UTC)


def test_an_admitted_candidate_has_the_confirmation_window(
    nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for action in ("mark_complete", "record_admissible", "place_on_agenda"):
        transition(application, action=action, by=officer)
    clock.move_to(dt.datetime(2024, 3, 20, 18, 30, tzinfo=PARIS))
    transition(application, action="publish_admitted", by=officer)
    summary = status_summary(application)
    assert summary.next_action == NextAction.CONFIRM_PLACE
    # 15 days from 20 March: to the end of 4 April, summer time by then.
    assert summary.due_by == dt.datetime(2024, 4, 4, 22, 0, tzinfo=dt.UTC)
    assert dict(states(summary))["confirm"] == "current"


def test_a_late_draft_is_told_so(
    nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    application = draft(candidate, nord)
    clock.move_to(dt.datetime(2024, 6, 9, 12, 0, tzinfo=PARIS))
    with translation.override("en"):
        summary = status_summary(application)
    assert summary.next_action_text == "The deadline to submit this application has passed."


def test_a_withdrawn_file_stops_at_its_step(nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    withdraw(application, by=candidate)
    summary = status_summary(application)
    assert summary.status == Status.WITHDRAWN
    assert dict(states(summary))["review"] == "stopped"
    assert summary.next_action == NextAction.NOTHING


def test_history_in_plain_words(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    for text in ("a", "ab", "abc"):
        update_draft(application, by=candidate, cover_letter=text)
    officer = staff_member(Role.FINANCE_OFFICER, institution=nord.institution)
    mark_fee_paid(application, by=officer)
    withdraw(application, by=candidate)
    with translation.override("en"):
        lines = history(application)
    texts = [(line.text, line.by, line.count) for line in lines]
    assert texts[0] == ("Application created", "by you", 1)
    assert ("Amount due recorded", "automatically", 1) in texts
    assert ("Draft saved", "by you", 3) in texts
    assert ("Application fee recorded as paid", "by the admissions team", 1) in texts
    assert ("Payment received", "by the admissions team", 1) in texts
    assert texts[-1] == ("Application withdrawn", "by you", 1)
