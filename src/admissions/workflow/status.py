"""The candidate's status page: the rulebook's steps, where the file stands, what to do next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.deadline import candidate_deadline, facts_of
from admissions.applications.lifecycle import REGISTERING, TERMINAL, Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.queries import HistoryLine, history
from admissions.applications.steps import (
    NEXT_ACTION_TEXT,
    NextAction,
    StepState,
    next_action,
    shown_steps,
    step_positions,
)
from admissions.documents.status import application_checklist, checklist_with_states
from admissions.rules.deadlines import paris_date
from admissions.rules.fees import FeeError, request_by
from admissions.rules.vocabulary import FeeDue
from admissions.workflow.conditions import Condition, condition_of
from admissions.workflow.confirmation import (
    ConfirmationState,
    confirmation_deadline,
    confirmation_state,
)
from admissions.workflow.declared_transfers import Declaration, declaration
from admissions.workflow.international import VisaSteps, steps_of
from admissions.workflow.sent_back import AskedDocument, asked_documents
from admissions.workflow.waitlist import position


def _language() -> str:
    return get_language() or "fr"


@dataclass(frozen=True)
class StepView:
    code: str
    label: str
    description: str
    expected_duration: str
    state: StepState


@dataclass(frozen=True)
class RegistrationItem:
    """A piece asked once admitted (the CVEC attestation), and whether it is in."""

    code: str
    label: str
    state_label: str
    satisfied: bool


@dataclass(frozen=True)
class FundingRequest:
    label: str  # the financing mode
    by: dt.date  # ask for it before the end of this day
    quote: bool  # the platform's quote is to hand to the adviser
    late: bool


def funding_request(application: Application, today: dt.date) -> FundingRequest | None:
    """The funding the candidate must ask for by a date, while the file is alive."""
    if Status(application.status) in TERMINAL:
        return None
    rules = application.rules
    try:
        mode = rules.financing_mode(application.financing_mode)
        by = request_by(rules, programme=application.programme.slug, financing_mode=mode.code)
    except (KeyError, FeeError):
        return None
    if by is None:
        return None
    return FundingRequest(
        label=mode.label.get(_language()), by=by, quote=mode.region_funded, late=today > by
    )


@dataclass(frozen=True)
class StatusSummary:
    status: Status
    steps: list[StepView]
    current_label: str
    next_action: NextAction
    next_action_text: str
    due_by: dt.datetime | None  # UTC; shown in Paris time
    history: list[HistoryLine]
    # An admitted file: its deadline and what it costs to confirm, paid or not.
    confirmation: ConfirmationState | None = None
    # A file sent back: each piece the office asks for, and why.
    asked: tuple[AskedDocument, ...] = ()
    # An admitted file: the pieces registration asks for.
    registration: tuple[RegistrationItem, ...] = ()
    # The fee's bank transfer, declared and not yet matched.
    declaration: Declaration | None = None
    # Funding to ask for by a date (a regional place, N weeks before the start).
    funding: FundingRequest | None = None
    # On the waiting list: the jury's rank and the place in the line today.
    waitlist: WaitingPlace | None = None
    # Admitted on condition: the diploma to send, and by when.
    condition: Condition | None = None
    # A non-EU national's file after admission: the steps towards the visa.
    visa: VisaSteps | None = None


@dataclass(frozen=True)
class WaitingPlace:
    rank: int | None
    position: int


def _withdrawn_from(events: list[ApplicationEvent]) -> Status | None:
    withdrawals = [event for event in events if event.action == "application.withdraw"]
    if not withdrawals or not withdrawals[-1].from_status:
        return None
    return Status(withdrawals[-1].from_status)


def status_summary(application: Application, *, now: dt.datetime | None = None) -> StatusSummary:
    moment = now or timezone.now()
    rules = application.rules
    language = _language()
    status = Status(application.status)
    # One read of the history serves the steps and the history lines.
    events = list(application.events.all())
    statuses = {event.to_status for event in events if event.to_status}
    statuses.add(application.status)
    # An optional step (an interview decided case by case) shows only on files that had it.
    shown = shown_steps(
        [s.step for s in rules.steps], {s.step for s in rules.steps if s.optional}, statuses
    )
    rule_steps = [s for s in rules.steps if s.step in shown]
    ends = rules.review.negative_ends_application
    positions = step_positions(
        status,
        [s.step for s in rule_steps],
        withdrawn_from=_withdrawn_from(events) if status == Status.WITHDRAWN else None,
        negative_review_ends_file=ends,
    )
    steps = [
        StepView(
            code=str(rule.step),
            label=rule.label.get(language),
            description=rule.description.get(language) if rule.description else "",
            expected_duration=(
                rule.expected_duration.get(language) if rule.expected_duration else ""
            ),
            state=position.state,
        )
        for rule, position in zip(rule_steps, positions, strict=True)
    ]
    action = next_action(status, negative_review_ends_file=ends)
    due_by: dt.datetime | None = None
    if action == NextAction.COMPLETE_AND_SUBMIT:
        due_by = candidate_deadline(application.campaign, facts_of(application.candidate))
    elif action == NextAction.CONFIRM_PLACE:
        due_by = confirmation_deadline(application)
    elif action == NextAction.REPLACE_DOCUMENTS:
        due_by = application.campaign.closes_at
    found = declaration(application)
    if due_by is not None and due_by <= moment and action == NextAction.COMPLETE_AND_SUBMIT:
        action_text = _("The deadline to submit this application has passed.")
    else:
        action_text = str(NEXT_ACTION_TEXT[action])
    return StatusSummary(
        status=status,
        steps=steps,
        current_label=str(status.label),
        next_action=action,
        next_action_text=action_text,
        due_by=due_by,
        history=history(application, events),
        confirmation=confirmation_state(application, now=moment),
        asked=tuple(asked_documents(application)) if status == Status.INCOMPLETE else (),
        registration=tuple(registration_items(application)) if status in REGISTERING else (),
        declaration=found,
        funding=funding_request(application, paris_date(moment)),
        waitlist=_waiting_place(application),
        condition=condition_of(application),
        visa=steps_of(application) if _after_admission(status, events) else None,
    )


def _after_admission(status: Status, events: list[ApplicationEvent]) -> bool:
    """Admitted, or withdrawn by a refused visa: the file has visa steps to show."""
    if status in REGISTERING:
        return True
    return status == Status.WITHDRAWN and any(
        event.action == "application.release_visa_refused" for event in events
    )


def _waiting_place(application: Application) -> WaitingPlace | None:
    line = position(application)
    if line is None:
        return None
    return WaitingPlace(rank=application.waitlist_rank, position=line)


def registration_items(application: Application) -> list[RegistrationItem]:
    """The pieces the candidate sends once admitted, in the checklist's order."""
    language = _language()
    items = [
        item
        for item in application_checklist(application)
        if item.provided_by == "candidate" and item.due != FeeDue.APPLICATION
    ]
    return [
        RegistrationItem(
            code=row.code,
            label=row.item.label.get(language),
            state_label=str(row.state.label),
            satisfied=row.satisfied,
        )
        for row in checklist_with_states(application, items)
    ]
