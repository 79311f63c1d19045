"""/api/v1/applications/{reference}/...: a file's messages, payments and interview booking.

The candidate reaches their own file; messages and payments are open to the staff of its
programme too, as on the pages. Anyone else is told the file does not exist (404). Each
operation calls the service its page calls.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja import Status as Answer

from admissions.api.auth import caller, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.applications import queries
from admissions.applications.models import Application
from admissions.documents.access import readable_application
from admissions.payments import ledger
from admissions.review import interviews
from admissions.review.models import Interview, InterviewSlot
from admissions.workflow import messages
from admissions.workflow.models import Message

router = Router(tags=["applications"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# Messages ------------------------------------------------------------------------------------


class FileMessageOut(Schema):
    id: int
    from_staff: bool
    author: str
    body: str
    created_at: dt.datetime
    attachments: list[str] = Field(description="file names (downloaded from the pages)")


class MessageIn(Input):
    body: str = Field(min_length=1, max_length=messages.MAX_BODY)


def _thread_reader(request: HttpRequest, reference: str) -> Application:
    application = readable_application(caller(request), reference)
    if not messages.may_read(caller(request), application):
        raise Http404
    return application


def message_out(message: Message) -> FileMessageOut:
    author = message.author
    return FileMessageOut(
        id=message.pk,
        from_staff=message.from_staff,
        author=(author.get_full_name() or author.email) if author else "",
        body=message.body,
        created_at=message.created_at,
        attachments=[a.original_filename for a in message.attachments.all()],
    )


@router.get(
    "/{reference}/messages",
    response={200: list[FileMessageOut], **ERRORS},
    summary="The messages of a file (marks them read)",
)
def list_messages(request: HttpRequest, reference: str) -> list[FileMessageOut]:
    application = _thread_reader(request, reference)
    thread = messages.thread(application)
    messages.mark_read(application, caller(request))
    return [message_out(message) for message in thread]


@router.post(
    "/{reference}/messages",
    response={201: FileMessageOut, **ERRORS},
    summary="Write on a file (the other side is told by email)",
)
def post_message(
    request: HttpRequest, reference: str, payload: MessageIn
) -> Answer[FileMessageOut]:
    application = _thread_reader(request, reference)
    message = messages.post_message(application, by=caller(request), body=payload.body)
    return Answer(201, message_out(message))


# Payments ------------------------------------------------------------------------------------


class ChargeLineOut(Schema):
    charge_kind: str
    instalment: int | None
    charged_cents: int
    paid_cents: int
    refunded_cents: int
    written_off_cents: int
    outstanding_cents: int
    due_on: dt.date | None
    creditor_reference: str


class PaymentsOut(Schema):
    reference: str
    currency: str = "EUR"
    fee_status: str
    balance_cents: int = Field(description="still owed; negative when paid too much")
    lines: list[ChargeLineOut]


@router.get(
    "/{reference}/payments",
    response={200: PaymentsOut, **ERRORS},
    summary="What the file was charged, paid and still owes",
)
def payments(request: HttpRequest, reference: str) -> PaymentsOut:
    application = readable_application(caller(request), reference)
    return PaymentsOut(
        reference=application.reference,
        fee_status=str(ledger.fee_status(application.pk)),
        balance_cents=ledger.balance_cents(application.pk),
        lines=[
            ChargeLineOut(
                charge_kind=line.charge_kind,
                instalment=line.instalment,
                charged_cents=line.charged,
                paid_cents=line.paid,
                refunded_cents=line.refunded,
                written_off_cents=line.written_off,
                outstanding_cents=line.outstanding,
                due_on=line.due_on,
                creditor_reference=line.creditor_reference,
            )
            for line in ledger.lines(application.pk)
        ],
    )


# Interview booking ---------------------------------------------------------------------------


class SlotOut(Schema):
    id: int
    starts_at: dt.datetime
    duration_minutes: int


class BookingOut(Schema):
    state: str
    slot: SlotOut | None
    video_link: str
    can_change: bool
    change_cutoff_hours: int
    free_slots: list[SlotOut]


class BookIn(Input):
    slot_id: int = Field(ge=1)


def _slot(slot: InterviewSlot | None) -> SlotOut | None:
    if slot is None:
        return None
    return SlotOut(id=slot.pk, starts_at=slot.starts_at, duration_minutes=slot.duration_minutes)


def interview_out(application: Application) -> BookingOut:
    booked = (
        Interview.objects.filter(application=application)
        .select_related("slot", "slot__interviewer")
        .first()
    )
    if booked is None:
        raise Http404
    now = timezone.now()
    slot = booked.slot
    return BookingOut(
        state=booked.state,
        slot=_slot(slot),
        video_link=slot.video_link if slot else "",
        can_change=bool(slot and slot.starts_at > now + interviews.CHANGE_CUTOFF),
        change_cutoff_hours=int(interviews.CHANGE_CUTOFF.total_seconds() // 3600),
        free_slots=[
            SlotOut(id=s.pk, starts_at=s.starts_at, duration_minutes=s.duration_minutes)
            for s in interviews.free_slots(application.programme, now=now)
        ],
    )


@router.get(
    "/{reference}/interview",
    response={200: BookingOut, **ERRORS},
    summary="My interview: the slot booked, or the free slots to book",
)
def read_interview(request: HttpRequest, reference: str) -> BookingOut:
    return interview_out(queries.own_application(caller(request), reference))


@router.put(
    "/{reference}/interview",
    response={200: BookingOut, **ERRORS},
    summary="Book (or move to) an interview slot",
)
def book_interview(request: HttpRequest, reference: str, payload: BookIn) -> BookingOut:
    user = caller(request)
    application = queries.own_application(user, reference)
    slot = get_object_or_404(
        InterviewSlot, pk=payload.slot_id, programme_id=application.programme_id
    )
    interviews.book(application, slot=slot, by=user)
    return interview_out(application)


@router.delete(
    "/{reference}/interview",
    response={200: BookingOut, **ERRORS},
    summary="Cancel my booking (then book another slot)",
)
def cancel_interview(request: HttpRequest, reference: str) -> BookingOut:
    user = caller(request)
    application = queries.own_application(user, reference)
    interviews.cancel(application, by=user)
    return interview_out(application)
