"""Refund requests: asked where the rulebook allows, approved by a finance officer, then
recorded in the ledger once the money is sent back.

    requested ──approve──▶ approved ──record──▶ recorded
        └──────reject────▶ rejected

`payments.models.REFUND_MOVES` is the table of these moves. The rulebook decides
(`rules.refunds.decide_refund`); a request it refuses is never created, and the refusal
quotes the rule's own wording. What proves the event is read from the file itself: a
funding agreement counts only as the document the rule names, accepted by staff through the
documents app, both when the refund is asked for and when it is approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.core.errors import NotAllowed
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.notify.money_emails import send_refund_approved, send_refund_rejected
from admissions.payments import access, history, ledger
from admissions.payments.errors import IllegalMoveError, LedgerError, RefundNotAllowedError
from admissions.payments.models import (
    REFUND_EVENTS,
    REFUND_MOVES,
    Method,
    RefundRequest,
    RefundStatus,
    charge_label,
)
from admissions.people.models import User
from admissions.rules.refunds import (
    RefundDecision,
    RefundFacts,
    RefundOutcome,
    decide_refund,
    refund_due_at,
    refund_due_on,
    refund_overdue,
)
from admissions.rules.schema import DocumentRequirement, RefundRule
from admissions.rules.vocabulary import ChargeKind, RefundEvent

EVENT_LABELS = dict(REFUND_EVENTS)


@dataclass(frozen=True)
class AgreementOnFile:
    """The funding agreement a refund rule asks for, and where the file's copy stands."""

    rule: RefundRule
    requirement: DocumentRequirement | None  # None: the rule names a code no longer listed
    document: Document | None

    @property
    def state(self) -> DocumentState:
        return self.document.state_enum if self.document is not None else DocumentState.MISSING

    @property
    def validated(self) -> bool:
        return self.state == DocumentState.ACCEPTED_BY_STAFF

    def label(self, language: str) -> str:
        if self.requirement is None:
            return self.rule.proof_document or ""
        return self.requirement.label.get(language)


@dataclass(frozen=True)
class RefundDue:
    """By when a refund is due under its rule: `on` is the last day, `at` the first late instant."""

    applies: bool  # the rule sets a period at all
    on: dt.date | None  # None while the programme has no start date
    at: dt.datetime | None
    overdue: bool


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def accepted_documents(application: Application) -> frozenset[str]:
    """Requirement codes of the file's documents that staff accepted (translations aside)."""
    return frozenset(
        Document.objects.filter(
            application=application,
            translation_of__isnull=True,
            state=DocumentState.ACCEPTED_BY_STAFF,
        ).values_list("requirement_code", flat=True)
    )


# What a file's status shows happened, for the rules that refuse on it.
EVENTS_OF_STATUS = {
    Status.WITHDRAWN: RefundEvent.CANDIDATE_WITHDRAWS,
    Status.DECLINED: RefundEvent.CANDIDATE_WITHDRAWS,
    Status.NOT_ADMISSIBLE: RefundEvent.UNFAVOURABLE_DECISION,
    Status.NOT_ADMITTED: RefundEvent.UNFAVOURABLE_DECISION,
}


def facts_on_file(application: Application, *, visa_refusal_proven: bool = False) -> RefundFacts:
    happened = EVENTS_OF_STATUS.get(Status(application.status))
    return RefundFacts(
        accepted_documents=accepted_documents(application),
        visa_refusal_proven=visa_refusal_proven,
        events=frozenset({happened}) if happened else frozenset(),
    )


def funding_agreement(application: Application) -> AgreementOnFile | None:
    """The agreement that would prove a deposit refund for this file, if a rule asks for one."""
    rules = application.rules
    for rule in rules.refunds:
        if (
            rule.event == RefundEvent.FUNDING_AGREEMENT_VALIDATED
            and rule.allowed
            and rule.proof_document
            and (not rule.financing_modes or application.financing_mode in rule.financing_modes)
        ):
            requirement = next(
                (r for r in rules.documents.requirements if r.code == rule.proof_document), None
            )
            document = Document.objects.filter(
                application=application,
                requirement_code=rule.proof_document,
                translation_of__isnull=True,
            ).first()
            return AgreementOnFile(rule=rule, requirement=requirement, document=document)
    return None


def _starts_on(application: Application) -> dt.date | None:
    try:
        return application.rules.programme(application.programme.slug).starts_on
    except KeyError:
        return None


def refund_due(
    application: Application, rule: RefundRule | None, *, waiting: bool, now: dt.datetime
) -> RefundDue:
    """When the refund is due; `waiting` says the money is not back yet (so it may be late)."""
    starts_on = _starts_on(application)
    at = refund_due_at(rule, starts_on)
    return RefundDue(
        applies=rule is not None and rule.due_months_after_start is not None,
        on=refund_due_on(rule, starts_on),
        at=at,
        overdue=waiting and refund_overdue(at, now),
    )


def due_of(request: RefundRequest, *, now: dt.datetime | None = None) -> RefundDue:
    application = request.application
    rule = next((r for r in application.rules.refunds if r.code == request.rule_code), None)
    waiting = request.status in (RefundStatus.REQUESTED, RefundStatus.APPROVED)
    return refund_due(application, rule, waiting=waiting, now=now or timezone.now())


def decide(
    application: Application,
    *,
    charge_kind: ChargeKind | str,
    instalment: int | None,
    event: RefundEvent,
    facts: RefundFacts,
) -> RefundDecision:
    return decide_refund(
        application.rules.refunds,
        charge=ChargeKind(charge_kind),
        instalment=instalment,
        event=event,
        facts=facts,
        financing_mode=application.financing_mode,
    )


def refusal_message(
    decision: RefundDecision,
    language: str | None = None,
    *,
    agreement: AgreementOnFile | None = None,
    event: RefundEvent | None = None,
) -> str:
    """Why the refund is refused, in the reader's language, with the rule's own words.

    `event` is the reason the refund was asked for: when a rule on another event, one the
    file shows, refused it, the message names that event.
    """
    language = language or _language()
    if decision.outcome == RefundOutcome.REFUSED_BY_RULE:
        rule_event = decision.rule.event if decision.rule else None
        if event is not None and rule_event not in (None, event, RefundEvent.ANY):
            return _(
                "Refused whatever the reason given, because this file shows “%(event)s”: "
                "%(wording)s"
            ) % {
                "event": EVENT_LABELS.get(str(rule_event), rule_event),
                "wording": decision.wording(language),
            }
        return decision.wording(language)
    if (
        decision.outcome == RefundOutcome.PROOF_MISSING
        and decision.rule is not None
        and decision.rule.event == RefundEvent.FUNDING_AGREEMENT_VALIDATED
    ):
        rule_text = _(
            "The rule “%(rule)s” allows this refund only once the proof is on file: %(wording)s"
        ) % {
            "rule": decision.rule_code,
            "wording": decision.wording(language),
        }
        if agreement is None:
            reason = _("No validated funding agreement.")
        else:
            reason = _("No validated funding agreement (“%(document)s”: %(state)s).") % {
                "document": agreement.label(language),
                "state": agreement.state.label,
            }
        return f"{rule_text} {reason}"
    if decision.outcome == RefundOutcome.PROOF_MISSING:
        return _(
            "The rule “%(rule)s” allows this refund only once the proof is on file: %(wording)s"
        ) % {"rule": decision.rule_code, "wording": decision.wording(language)}
    return _("The rulebook does not provide for a refund of this charge in this case.")


def request_refund(
    application: Application,
    *,
    charge_kind: ChargeKind | str,
    instalment: int | None,
    event: RefundEvent,
    by: User,
    visa_refusal_proven: bool = False,
    amount_cents: int | None = None,
    reason: str = "",
) -> RefundRequest:
    """Ask for a refund; what proves the event is read from the file (see the module doc)."""
    if not access.can_request_refund(by, application):
        raise NotAllowed(_("You may not ask for refunds on this programme."))
    with transaction.atomic():
        locked = history.lock_application(application.pk)
        # Read under the lock: a document rejected at this moment is not taken as proof.
        facts = facts_on_file(locked, visa_refusal_proven=visa_refusal_proven)
        decision = decide(
            locked, charge_kind=charge_kind, instalment=instalment, event=event, facts=facts
        )
        if not decision.allowed:
            raise RefundNotAllowedError(
                refusal_message(decision, agreement=funding_agreement(locked), event=event),
                details={"rule": decision.rule_code, "outcome": decision.outcome.value},
            )
        line = ledger.line_of(application.pk, charge_kind, instalment)
        amount = line.refundable if amount_cents is None else amount_cents
        if amount <= 0 or amount > line.refundable:
            raise LedgerError(
                _("A refund must be more than zero and at most what was paid on this charge."),
                code="refund_exceeds_paid",
                details={"refundable_cents": line.refundable},
            )
        pending = RefundRequest.objects.filter(
            application=locked,
            charge_kind=charge_kind,
            instalment=instalment,
            status__in=[RefundStatus.REQUESTED, RefundStatus.APPROVED],
        )
        if pending.exists():
            raise IllegalMoveError(
                _("A refund of this charge is already waiting."), code="refund_pending"
            )
        request = RefundRequest.objects.create(
            application=locked,
            charge_kind=charge_kind,
            instalment=instalment,
            amount_cents=amount,
            event=event,
            funding_agreement_validated=(
                event == RefundEvent.FUNDING_AGREEMENT_VALIDATED
                and decision.rule is not None
                and decision.rule.proof_document in facts.accepted_documents
            ),
            visa_refusal_proven=facts.visa_refusal_proven,
            rule_code=decision.rule_code,
            reason=reason,
            requested_by=by,
        )
        history.record(
            locked,
            action="payment.refund_requested",
            by=by,
            details={
                "refund_request": request.pk,
                "charge_kind": str(charge_kind),
                "instalment": instalment,
                "amount_cents": amount,
                "event": event.value,
                "rule": decision.rule_code,
            }
            | _due_details(locked, decision.rule),
        )
    return request


def _due_details(application: Application, rule: RefundRule | None) -> dict[str, str | None]:
    due = refund_due(application, rule, waiting=True, now=timezone.now())
    return {"due_on": due.on.isoformat() if due.on else None} if due.applies else {}


def _move(request: RefundRequest, action: str, *, by: User) -> RefundRequest:
    sources, target = REFUND_MOVES[action]
    locked = RefundRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in sources:
        raise IllegalMoveError(
            _("This refund is %(status)s: it cannot be changed that way.")
            % {"status": locked.get_status_display()},
            code="illegal_refund_move",
        )
    if not access.can_handle_money(by, locked.application):
        raise NotAllowed(_("Only a finance officer of this programme may do this."))
    locked.status = target
    return locked


def approve_refund(request: RefundRequest, *, by: User, note: str = "") -> RefundRequest:
    with transaction.atomic():
        locked = _move(request, "approve", by=by)
        application = history.lock_application(locked.application_id)
        # The rulebook is read again: approving applies today's rule, not the request's.
        decision = decide(
            application,
            charge_kind=locked.charge_kind,
            instalment=locked.instalment,
            event=RefundEvent(locked.event),
            # The documents are read again too: an agreement rejected since the request no
            # longer proves anything.
            facts=facts_on_file(application, visa_refusal_proven=locked.visa_refusal_proven),
        )
        if not decision.allowed:
            raise RefundNotAllowedError(
                refusal_message(
                    decision,
                    agreement=funding_agreement(application),
                    event=RefundEvent(locked.event),
                ),
                details={"rule": decision.rule_code, "outcome": decision.outcome.value},
            )
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        history.record(
            application,
            action="payment.refund_approved",
            by=by,
            details={"refund_request": locked.pk, "rule": locked.rule_code, "note": note},
        )
        send_refund_approved(
            application,
            event=f"refund:{locked.pk}:approved",
            amount_cents=locked.amount_cents,
            charge=charge_label(locked.charge_kind, locked.instalment),
            note=note,
        )
    return locked


def reject_refund(request: RefundRequest, *, by: User, note: str) -> RefundRequest:
    if not note.strip():
        raise IllegalMoveError(_("Say why the refund is rejected."), code="reason_required")
    with transaction.atomic():
        locked = _move(request, "reject", by=by)
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        application = history.lock_application(locked.application_id)
        history.record(
            application,
            action="payment.refund_rejected",
            by=by,
            details={"refund_request": locked.pk, "note": locked.decision_note},
        )
        send_refund_rejected(
            application,
            event=f"refund:{locked.pk}:rejected",
            amount_cents=locked.amount_cents,
            charge=charge_label(locked.charge_kind, locked.instalment),
            note=locked.decision_note,
        )
    return locked


def record_refund(
    request: RefundRequest, *, by: User, method: Method = Method.BANK_TRANSFER, note: str = ""
) -> RefundRequest:
    """The money went back: the ledger refunds the charge (never above what was paid), which
    is then settled, not owed again."""
    with transaction.atomic():
        locked = _move(request, "record", by=by)
        entry = ledger.refund_charge(
            locked.application_id,
            charge_kind=locked.charge_kind,
            instalment=locked.instalment,
            amount_cents=locked.amount_cents,
            method=method,
            by=by,
            note=note or _("Refund under rule %(rule)s") % {"rule": locked.rule_code},
        )
        locked.refund = entry
        locked.save(update_fields=["status", "refund"])
        history.record(
            history.lock_application(locked.application_id),
            action="payment.refund_recorded",
            by=by,
            details={"refund_request": locked.pk, "entry_id": entry.pk, "rule": locked.rule_code},
        )
    return locked


# The finance office's decisions on a refund request, by name (its page's and the API's).
DECISIONS: dict[str, Callable[..., RefundRequest]] = {
    "approve": approve_refund,
    "reject": reject_refund,
    "record": record_refund,
}
