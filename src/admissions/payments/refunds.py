"""Refund requests: asked where the rulebook allows, approved by a finance officer, then
recorded in the ledger once the money is sent back.

    requested ──approve──▶ approved ──record──▶ recorded
        └──────reject────▶ rejected

`models.REFUND_MOVES` is the table of these moves. The rulebook decides
(`rules.refunds.decide_refund`); a request it refuses is never created, and the refusal
quotes the rule's own wording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.core.errors import NotAllowed
from admissions.payments import access, history, ledger
from admissions.payments.errors import IllegalMoveError, LedgerError, RefundNotAllowedError
from admissions.payments.models import (
    REFUND_MOVES,
    Method,
    RefundRequest,
    RefundStatus,
)
from admissions.people.models import User
from admissions.rules.refunds import RefundDecision, RefundFacts, RefundOutcome, decide_refund
from admissions.rules.vocabulary import ChargeKind, RefundEvent

if TYPE_CHECKING:
    from admissions.applications.models import Application


def decide(
    application: Application,
    *,
    charge_kind: ChargeKind | str,
    instalment: int | None,
    event: RefundEvent,
    facts: RefundFacts,
) -> RefundDecision:
    return decide_refund(
        application.campaign.rules.refunds,
        charge=ChargeKind(charge_kind),
        instalment=instalment,
        event=event,
        facts=facts,
        financing_mode=application.financing_mode,
    )


def refusal_message(decision: RefundDecision, language: str | None = None) -> str:
    """Why the refund is refused, in the reader's language, with the rule's own words."""
    language = language or get_language() or "fr"
    if decision.outcome == RefundOutcome.REFUSED_BY_RULE:
        return decision.wording(language)
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
    facts: RefundFacts,
    by: User,
    amount_cents: int | None = None,
    reason: str = "",
) -> RefundRequest:
    if not access.can_request_refund(by, application):
        raise NotAllowed(_("You may not ask for refunds on this programme."))
    decision = decide(
        application, charge_kind=charge_kind, instalment=instalment, event=event, facts=facts
    )
    if not decision.allowed:
        raise RefundNotAllowedError(
            refusal_message(decision),
            details={"rule": decision.rule_code, "outcome": decision.outcome.value},
        )
    with transaction.atomic():
        locked = history.lock_application(application.pk)
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
            funding_agreement_validated=facts.funding_agreement_validated,
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
            },
        )
    return request


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
            facts=RefundFacts(
                funding_agreement_validated=locked.funding_agreement_validated,
                visa_refusal_proven=locked.visa_refusal_proven,
            ),
        )
        if not decision.allowed:
            raise RefundNotAllowedError(
                refusal_message(decision), details={"rule": decision.rule_code}
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
        history.record(
            history.lock_application(locked.application_id),
            action="payment.refund_rejected",
            by=by,
            details={"refund_request": locked.pk, "note": locked.decision_note},
        )
    return locked


def record_refund(
    request: RefundRequest, *, by: User, method: Method = Method.BANK_TRANSFER, note: str = ""
) -> RefundRequest:
    """The money went back: the ledger gets its refund entry (never above what was paid)."""
    with transaction.atomic():
        locked = _move(request, "record", by=by)
        entry = ledger.record_refund(
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
