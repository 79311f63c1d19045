"""/api/v1/staff/finance: the finance office's decisions, as on its pages.

The finance pages' scope (payments.access): finance staff only, on the institutions and
programmes they hold (and the institution a token is tied to); any other refund request or
payment issue answers 404. Each decision calls the page's service, which refuses a move its
state does not allow, or a rejection without its reason (409 `reason_required`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.applications.models import Application
from admissions.core.errors import ValidationFailed
from admissions.payments import access, issues, services
from admissions.payments.models import IssueStatus, Method, PaymentIssue, RefundRequest
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind, RefundEvent
from admissions.workflow import refunds

router = Router(tags=["finance"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
NOTE_MAX_LENGTH = 1000  # as the finance pages' notes


def finance_caller(request: HttpRequest) -> User:
    user = caller(request)
    if not access.is_finance_staff(user):
        raise Http404
    return user


class RefundDecisionIn(Input):
    decision: Literal["approve", "reject", "record"] = Field(
        description="approve the request, reject it (a note says why), or record the money "
        "paid back"
    )
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH)
    method: Literal["bank_transfer", "card"] = Field(
        default="bank_transfer", description="how the money went back (record)"
    )


class RefundOut(Schema):
    id: int
    reference: str
    charge_kind: str
    instalment: int | None
    amount_cents: int
    status: str
    decided_at: dt.datetime | None
    decision_note: str


@router.post(
    "/finance/refunds/{refund_id}/decision",
    response={200: RefundOut, **ERRORS},
    summary="Approve or reject a refund request, or record the money paid back",
)
def decide_refund(request: HttpRequest, refund_id: int, payload: RefundDecisionIn) -> RefundOut:
    user = finance_caller(request)
    found: QuerySet[RefundRequest] = access.refund_requests(user)
    bound = token_institution(request)
    if bound is not None:
        found = found.filter(application__programme__institution_id=bound)
    asked = found.select_related("application").filter(pk=refund_id).first()
    if asked is None:
        raise Http404
    arguments: dict[str, object] = {"by": user, "note": payload.note}
    if payload.decision == "record":
        arguments["method"] = Method(payload.method)
    decided = refunds.DECISIONS[payload.decision](asked, **arguments)
    return _refund_out(decided, asked.application.reference)


def _refund_out(refund: RefundRequest, reference: str) -> RefundOut:
    return RefundOut(
        id=refund.pk,
        reference=reference,
        charge_kind=refund.charge_kind,
        instalment=refund.instalment,
        amount_cents=refund.amount_cents,
        status=refund.status,
        decided_at=refund.decided_at,
        decision_note=refund.decision_note,
    )


def _finance_file(request: HttpRequest, reference: str) -> tuple[User, Application]:
    user = finance_caller(request)
    application = access.finance_file(user, reference, token_institution(request))
    if application is None:
        raise Http404
    return user, application


class RefundAskIn(Input):
    charge_kind: ChargeKind = Field(description="the charge to refund")
    instalment: int | None = Field(
        default=None, ge=1, description="the tuition instalment's number, for an instalment"
    )
    event: RefundEvent = Field(description="what makes the charge refundable")
    visa_refusal_proven: bool = Field(
        default=False, description="the visa refusal is on file (for `visa_refused`)"
    )
    amount_cents: int | None = Field(
        default=None, gt=0, description="empty: everything paid on this charge"
    )
    reason: str = Field(default="", max_length=NOTE_MAX_LENGTH)


@router.post(
    "/finance/files/{reference}/refunds",
    response={201: RefundOut, **ERRORS},
    summary="Ask for a refund on a file's charge; a finance officer then approves it",
)
def request_refund(request: HttpRequest, reference: str, payload: RefundAskIn) -> Status[RefundOut]:
    user, application = _finance_file(request, reference)
    asked = refunds.request_refund(
        application,
        charge_kind=payload.charge_kind,
        instalment=payload.instalment,
        event=payload.event,
        visa_refusal_proven=payload.visa_refusal_proven,
        by=user,
        amount_cents=payload.amount_cents,
        reason=payload.reason,
    )
    return Status(201, _refund_out(asked, application.reference))


class TuitionIn(Input):
    registered_on: dt.date | None = Field(
        default=None,
        description="the registration day, when the first instalment is due (empty: today)",
    )
    starts_on: dt.date | None = Field(
        default=None,
        description="the programme's start, from which the other instalments fall (empty: "
        "the rulebook's start date)",
    )


class TuitionChargeOut(Schema):
    charge_kind: str
    instalment: int | None
    amount_cents: int
    due_on: dt.date | None
    creditor_reference: str


class TuitionOut(Schema):
    charged: list[TuitionChargeOut] = Field(
        description="the charges made now; empty: all were made"
    )


@router.post(
    "/finance/files/{reference}/tuition",
    response={200: TuitionOut, 201: TuitionOut, **ERRORS},
    summary="Charge a file's tuition plan: the instalments (and the CVEC) not charged yet",
)
def plan_tuition(request: HttpRequest, reference: str, payload: TuitionIn) -> Status[TuitionOut]:
    user, application = _finance_file(request, reference)
    created = services.plan_tuition(
        application, by=user, registered_on=payload.registered_on, starts_on=payload.starts_on
    )
    charged = [
        TuitionChargeOut(
            charge_kind=entry.charge_kind,
            instalment=entry.instalment,
            amount_cents=entry.amount_cents,
            due_on=entry.due_on,
            creditor_reference=entry.creditor_reference or "",
        )
        for entry in created
    ]
    return Status(201 if charged else 200, TuitionOut(charged=charged))


class ResolveIn(Input):
    status: str = Field(max_length=10, description="one of the issue's `resolutions`")
    charge_reference: str = Field(
        default="",
        max_length=40,
        description="for a transfer to assign: the RF reference of the charge it pays",
    )
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH)


class IssueOut(Schema):
    id: int
    kind: str
    status: str
    amount_cents: int
    resolved_at: dt.datetime | None


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "message": message}])


@router.post(
    "/finance/issues/{issue_id}/resolve",
    response={200: IssueOut, **ERRORS},
    summary="Close a payment issue the way its kind allows",
)
def resolve_issue(request: HttpRequest, issue_id: int, payload: ResolveIn) -> IssueOut:
    user = finance_caller(request)
    found: QuerySet[PaymentIssue] = access.payment_issues(user)
    bound = token_institution(request)
    if bound is not None:
        found = found.filter(
            Q(institution_id=bound) | Q(application__programme__institution_id=bound)
        )
    issue = found.filter(pk=issue_id).first()
    if issue is None:
        raise Http404
    if payload.status not in issue.resolutions:
        raise _refuse("status", _("Choose how to close this issue."))
    charge = None
    if payload.charge_reference.strip():
        charge = access.charge_by_reference(user, payload.charge_reference)
        if charge is None:
            raise _refuse("charge_reference", _("No charge of your programmes has this reference."))
    closed = issues.resolve_issue(
        issue, status=IssueStatus(payload.status), by=user, note=payload.note, charge=charge
    )
    return IssueOut(
        id=closed.pk,
        kind=closed.kind,
        status=closed.status,
        amount_cents=closed.amount_cents,
        resolved_at=closed.resolved_at,
    )
