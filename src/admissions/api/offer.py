"""/api/v1/applications/{reference}/offer, /confirm, /decline: the candidate's answer to the
jury's decision.

What the status page shows after the jury (the decision, the time to confirm and what is
still owed for it, the place on the waiting list, the condition of the admission), and the
two moves the page offers: confirm the place, decline it (or leave the waiting list). Each
calls the service the page calls (workflow.confirmation); another person's file is 404.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from admissions.api.auth import caller, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.applications import queries
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.workflow import confirmation, international
from admissions.workflow.status import status_summary

router = Router(tags=["applications"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
DECIDED = frozenset(
    {
        Status.ADMITTED,
        Status.ADMITTED_CONDITIONALLY,
        Status.WAITLISTED,
        Status.NOT_ADMITTED,
        Status.CONFIRMED,
        Status.CONFIRMED_CONDITIONALLY,
    }
)


class AmountOut(Schema):
    charge_kind: str
    label: str
    amount_cents: int
    paid: bool
    outstanding_cents: int


class MissingOut(Schema):
    code: str
    label: str


class ConfirmationOut(Schema):
    deadline: dt.datetime = Field(description="the first instant too late to confirm (UTC)")
    last_day: dt.date = Field(description="the last day to confirm, until midnight Paris time")
    is_open: bool
    still_possible: bool = Field(description="the window is over but the rules still allow it")
    after_window: str
    can_confirm: bool
    wording: str
    amounts: list[AmountOut]
    missing: list[MissingOut] = Field(description="documents to send before confirming")


class MyWaitingPlaceOut(Schema):
    position: int = Field(description="the place in line today")
    rank: int | None = Field(description="the rank the jury gave")


class ConditionOut(Schema):
    document_code: str
    document_label: str
    document_state: str
    accepted: bool
    deadline: dt.date | None


class OfferOut(Schema):
    reference: str
    status: str
    status_label: str
    decided: bool = Field(description="the jury's decision is published")
    next_action: str
    next_action_text: str
    due_by: dt.datetime | None
    confirmation: ConfirmationOut | None
    waiting_list: MyWaitingPlaceOut | None
    condition: ConditionOut | None
    may_decline: bool = Field(description="a place offered, or a seat on the waiting list")


class DeclineIn(Input):
    reason: str = Field(default="", max_length=1000)


def offer_out(application: Application) -> OfferOut:
    summary = status_summary(application, now=timezone.now())
    state = summary.confirmation
    waiting = summary.waitlist
    condition = summary.condition
    status = Status(application.status)
    return OfferOut(
        reference=application.reference,
        status=application.status,
        status_label=str(status.label),
        decided=status in DECIDED,
        next_action=str(summary.next_action),
        next_action_text=summary.next_action_text,
        due_by=summary.due_by,
        confirmation=ConfirmationOut(
            deadline=state.deadline,
            last_day=state.last_day,
            is_open=state.is_open,
            still_possible=state.still_possible,
            after_window=str(state.after_window),
            can_confirm=state.can_confirm,
            wording=state.wording,
            amounts=[
                AmountOut(
                    charge_kind=a.charge_kind,
                    label=a.label,
                    amount_cents=a.amount_cents,
                    paid=a.paid,
                    outstanding_cents=a.outstanding_cents,
                )
                for a in state.amounts
            ],
            missing=[MissingOut(code=code, label=label) for code, label in state.missing],
        )
        if state
        else None,
        waiting_list=MyWaitingPlaceOut(position=waiting.position, rank=waiting.rank)
        if waiting
        else None,
        condition=ConditionOut(
            document_code=condition.document_code,
            document_label=condition.document_label,
            document_state=condition.document_state,
            accepted=condition.accepted,
            deadline=condition.deadline,
        )
        if condition
        else None,
        may_decline=status in {*confirmation.ADMITTED, Status.WAITLISTED},
    )


@router.get(
    "/{reference}/offer",
    response={200: OfferOut, **ERRORS},
    summary="The jury's decision on my file and what I may do about it",
)
def read_offer(request: HttpRequest, reference: str) -> OfferOut:
    return offer_out(queries.own_application(caller(request), reference))


@router.post(
    "/{reference}/confirm",
    response={200: OfferOut, **ERRORS},
    summary="Confirm the place offered",
)
def confirm(request: HttpRequest, reference: str) -> OfferOut:
    user = caller(request)
    confirmation.confirm_place(queries.own_application(user, reference), by=user)
    return offer_out(queries.own_application(user, reference))


@router.post(
    "/{reference}/decline",
    response={200: OfferOut, **ERRORS},
    summary="Decline the place offered, or leave the waiting list",
)
def decline(request: HttpRequest, reference: str, payload: DeclineIn) -> OfferOut:
    user = caller(request)
    confirmation.decline_place(
        queries.own_application(user, reference), by=user, reason=payload.reason
    )
    return offer_out(queries.own_application(user, reference))


class CampusFranceIn(Input):
    number: str = Field(max_length=40, description="the number of the Études en France file")


@router.put(
    "/{reference}/campus-france",
    response={200: OfferOut, **ERRORS},
    summary="Record the number of my Études en France file (visa steps)",
)
def campus_france(request: HttpRequest, reference: str, payload: CampusFranceIn) -> OfferOut:
    user = caller(request)
    international.record_campus_france_number(
        queries.own_application(user, reference), by=user, number=payload.number
    )
    return offer_out(queries.own_application(user, reference))
