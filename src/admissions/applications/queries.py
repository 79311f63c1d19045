"""Reading applications for the candidate: their own files, the status page, the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.confirmation import (
    ConfirmationState,
    confirmation_deadline,
    confirmation_state,
)
from admissions.applications.deadline import candidate_deadline, facts_of
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.steps import (
    NEXT_ACTION_TEXT,
    NextAction,
    StepState,
    next_action,
    shown_steps,
    step_positions,
)
from admissions.catalog.models import without_rulebooks
from admissions.people.models import User


def my_applications(user: User) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(candidate=user)
        .select_related("campaign", "campaign__institution", "programme")
        .defer(*without_rulebooks("campaign", "campaign__institution"))
    )


def own_application(user: User, reference: str) -> Application:
    """The candidate's file with this reference; 404 for anyone else's, as if it did not exist."""
    application = my_applications(user).filter(reference=reference).first()
    if application is None:
        raise Http404("No such application")
    return application


def _language() -> str:
    return get_language() or "fr"


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    text: str
    by: str  # "by you", "by the admissions team", "automatically"
    count: int = 1


def _actor(event: ApplicationEvent, candidate_id: int) -> str:
    if event.actor_id is None:
        return _("automatically")
    if event.actor_id == candidate_id:
        return _("by you")
    return _("by the admissions team")


def _event_texts() -> dict[str, str]:
    return {
        "application.created": _("Application created"),
        "application.draft_saved": _("Draft saved"),
        "application.submit": _("Application submitted"),
        "application.withdraw": _("Application withdrawn"),
        "application.fee_marked_paid": _("Application fee recorded as paid"),
        "application.request_documents": _("Documents to replace were requested"),
        "application.resubmit": _("Replaced documents sent"),
        "document.uploaded": _("Document received"),
        "document.imported": _("Documents received in one archive"),
        "document.refused_on_arrival": _("Document refused on arrival"),
        "document.accepted_by_staff": _("Document accepted by the admissions office"),
        "document.rejected_by_staff": _("Document to replace"),
        "document.deleted": _("Document removed"),
        "document.infected": _("Document refused: the antivirus found a threat"),
        "document.scan_deferred": _("Antivirus check postponed"),
        "document.scan_completed": _("Antivirus check done"),
        "document.translation_requested": _("Translation requested"),
        "document.translation_withdrawn": _("Translation no longer needed"),
        "payment.charged": _("Amount due recorded"),
        "payment.received": _("Payment received"),
        "payment.refunded": _("Refund made"),
        "payment.written_off": _("Amount due cancelled"),
        "payment.checkout_started": _("Card payment started"),
        "payment.checkout_expired": _("Card payment abandoned"),
        "payment.reversed": _("Payment cancelled by the bank"),
        "payment.debit_submitted": _("Direct debit sent to the bank"),
        "payment.debit_rejected": _("Direct debit rejected by the bank"),
        "payment.mandate_signed": _("Direct debit mandate signed"),
        "payment.mandate_revoked": _("Direct debit mandate revoked"),
        "payment.invoice_issued": _("Invoice issued"),
        "payment.refund_requested": _("Refund requested"),
        "payment.refund_approved": _("Refund approved"),
        "payment.refund_rejected": _("Refund refused"),
        "payment.refund_recorded": _("Refund made"),
        "payment.issue_raised": _("Payment to be checked by the finance office"),
        "payment.issue_resolved": _("Payment checked by the finance office"),
    }


def _event_text(event: ApplicationEvent, documents: dict[str, str]) -> str:
    """The event in plain words; an event without words of its own says the status it set.

    `documents` names the rulebook's documents by code, for the document events.
    """
    text = _event_texts().get(event.action)
    if text is not None:
        details = event.details if isinstance(event.details, dict) else {}
        code = str(details.get("requirement") or "")
        if code and event.action.startswith("document."):
            # Translatable: French puts a non-breaking space before the colon.
            return _("%(event)s: %(document)s") % {
                "event": text,
                "document": documents.get(code, code),
            }
        return text
    if event.to_status and event.to_status != event.from_status:
        try:
            label = str(Status(event.to_status).label)
        except ValueError:
            label = event.to_status
        return _("Status: %(status)s") % {"status": label}
    return _("File updated")


def history(
    application: Application, events: list[ApplicationEvent] | None = None
) -> list[HistoryLine]:
    """The file's events in plain words, oldest first; a run of draft saves is one line.

    `events` are the file's events in their order, when the caller has read them already.
    """
    language = _language()
    documents = {
        requirement.code: requirement.label.get(language)
        for requirement in application.campaign.rules.documents.requirements
    }
    lines: list[HistoryLine] = []
    previous_action = ""
    for event in application.events.all() if events is None else events:
        if event.action == "application.draft_saved" and previous_action == event.action:
            last = lines[-1]
            lines[-1] = HistoryLine(at=event.at, text=last.text, by=last.by, count=last.count + 1)
            continue
        lines.append(
            HistoryLine(
                at=event.at,
                text=_event_text(event, documents),
                by=_actor(event, application.candidate_id),
            )
        )
        previous_action = event.action
    return lines


@dataclass(frozen=True)
class StepView:
    code: str
    label: str
    description: str
    expected_duration: str
    state: StepState


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


def _withdrawn_from(events: list[ApplicationEvent]) -> Status | None:
    withdrawals = [event for event in events if event.action == "application.withdraw"]
    if not withdrawals or not withdrawals[-1].from_status:
        return None
    return Status(withdrawals[-1].from_status)


def status_summary(application: Application, *, now: dt.datetime | None = None) -> StatusSummary:
    moment = now or timezone.now()
    rules = application.campaign.rules
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
    )
