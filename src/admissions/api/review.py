"""/api/v1/staff: the review moves the office's pages offer beside the whole file's page.

A document asked for after submission (the file's checklist page), a file given to a
reviewer (the list's bulk action, one file at a time here), the interview slots a programme
publishes (the slots page); each through the page's service and scope (404 outside it).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.api.staff import WholeFileOut, staff_application, whole_file_out
from admissions.catalog.models import Programme
from admissions.core.errors import ValidationFailed
from admissions.documents import access
from admissions.documents import review as document_review
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids, can_act_on_programme
from admissions.review import interviews
from admissions.review.assignments import ASSIGNERS, assign_reviewer, possible_reviewers
from admissions.review.models import DEFAULT_SLOT_MINUTES, InterviewSlot
from admissions.review.roles import INTERVIEW_ORGANISERS
from admissions.rules.deadlines import PARIS

router = Router(tags=["staff"], auth=user_auth)
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "message": message}])


class AskIn(Input):
    reason: str = Field(min_length=1, max_length=1000)


@router.post(
    "/files/{reference}/documents/{code}/ask",
    response={200: WholeFileOut, **ERRORS},
    summary="Ask the candidate for a document the file lacks (it goes back to them)",
)
def ask_document(request: HttpRequest, reference: str, code: str, payload: AskIn) -> WholeFileOut:
    staff_application(request, reference)  # the token's institution, and 404 for others
    application = access.officer_application(caller(request), reference)
    if code not in {choice for choice, _label in document_review.askable(application)}:
        raise _refuse("code", _("Choose the document and say why it is asked for."))
    document_review.request_document(application, code, by=caller(request), reason=payload.reason)
    return whole_file_out(staff_application(request, reference))


class ReviewerIn(Input):
    reviewer_id: int = Field(description="a lead or interviewer of the file's programme")


@router.put(
    "/files/{reference}/reviewer",
    response={200: WholeFileOut, **ERRORS},
    summary="Give the file to a reviewer",
)
def give_to_reviewer(request: HttpRequest, reference: str, payload: ReviewerIn) -> WholeFileOut:
    user = caller(request)
    application = staff_application(request, reference)
    if not can_act_on_programme(user, application.programme_id, ASSIGNERS):
        raise Http404
    reviewer = possible_reviewers(user).filter(pk=payload.reviewer_id).first()
    if reviewer is None:
        raise _refuse("reviewer_id", _("Choose the reviewer from the list."))
    assign_reviewer([application], reviewer=reviewer, by=user)
    return whole_file_out(staff_application(request, reference))


# Interview slots -----------------------------------------------------------------------------


class PublishedSlotOut(Schema):
    id: int
    starts_at: dt.datetime
    duration_minutes: int
    interviewer: str
    interviewer_id: int
    video_link: str
    booked_by: str | None = Field(description="the reference of the file that booked it")


class SlotIn(Input):
    starts_at: dt.datetime = Field(description="without a zone: Paris time")
    duration_minutes: int = Field(default=DEFAULT_SLOT_MINUTES, ge=5, le=240)
    interviewer_id: int
    video_link: str = Field(
        default="",
        max_length=300,
        pattern=r"^(https?://\S+)?$",
        description="an http(s) address; empty: the programme's template",
    )


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    programme = (
        Programme.objects.filter(
            pk__in=allowed_programme_ids(caller(request), INTERVIEW_ORGANISERS)
        )
        .filter(pk=programme_id)
        .first()
    )
    bound = token_institution(request)
    if programme is None or (bound is not None and programme.institution_id != bound):
        raise Http404
    return programme


def _name(user: User) -> str:
    return user.get_full_name() or user.email


def published_slot_out(slot: InterviewSlot) -> PublishedSlotOut:
    interview = getattr(slot, "interview", None)
    return PublishedSlotOut(
        id=slot.pk,
        starts_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        interviewer=_name(slot.interviewer),
        interviewer_id=slot.interviewer_id,
        video_link=slot.video_link,
        booked_by=interview.application.reference if interview else None,
    )


@router.get(
    "/interviews/{programme_id}/slots",
    response={200: list[PublishedSlotOut], **ERRORS},
    summary="A programme's interview slots to come",
)
def list_slots(request: HttpRequest, programme_id: int) -> list[PublishedSlotOut]:
    programme = _programme(request, programme_id)
    upcoming = (
        InterviewSlot.objects.filter(programme=programme, starts_at__gte=timezone.now())
        .select_related("interviewer", "interview__application")
        .order_by("starts_at", "pk")[:500]
    )
    return [published_slot_out(slot) for slot in upcoming]


@router.post(
    "/interviews/{programme_id}/slots",
    response={201: PublishedSlotOut, **ERRORS},
    summary="Publish an interview slot candidates of the programme may book",
)
def publish_slot(
    request: HttpRequest, programme_id: int, payload: SlotIn
) -> Answer[PublishedSlotOut]:
    programme = _programme(request, programme_id)
    interviewer = User.objects.filter(pk=payload.interviewer_id, is_active=True).first()
    if interviewer is None:
        raise _refuse("interviewer_id", _("Choose the interviewer from the list."))
    starts_at = payload.starts_at
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=PARIS)
    slot = interviews.publish_slot(
        programme,
        by=caller(request),
        starts_at=starts_at,
        interviewer=interviewer,
        duration_minutes=payload.duration_minutes,
        video_link=payload.video_link,
    )
    return Answer(201, published_slot_out(slot))
