"""/api/v1/staff/bulk: the office list's bulk actions on the files chosen.

The same services as the list's page (office/queue_views.py): the files chosen must all be
the caller's (applications.staff_files.chosen_files), else 404 and nothing is done; giving
them to a reviewer is all or nothing (review.assignments); a message is checked once, then
written on each file, and the files that refuse it are named (workflow.messages).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.applications.models import Application
from admissions.applications.staff_files import BULK_MAX, chosen_files
from admissions.core.errors import ValidationFailed
from admissions.people.models import User
from admissions.people.permissions import has_platform_role, staff_roles
from admissions.review.assignments import assign_reviewer, may_assign, reviewer_for
from admissions.workflow import messages

router = Router(tags=["staff"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
References = list[str]


class BulkIn(Input):
    references: References = Field(
        min_length=1, max_length=BULK_MAX, description=f"at most {BULK_MAX} files"
    )


class BulkReviewerIn(BulkIn):
    reviewer_id: int = Field(description="a lead or interviewer of the files' programmes")


class BulkReviewerOut(Schema):
    reviewer_id: int
    assigned: list[str] = Field(description="the files now given to the reviewer")
    unchanged: list[str] = Field(description="the files the reviewer already had")


class BulkMessageIn(BulkIn):
    body: str = Field(max_length=messages.MAX_BODY)


class BulkMessageOut(Schema):
    sent: list[str]
    refused: list[str] = Field(description="the files closed to messages: nothing sent there")


def _chosen(request: HttpRequest, references: list[str]) -> tuple[User, list[Application]]:
    user = caller(request)
    if not staff_roles(user) and not has_platform_role(user):
        raise Http404
    chosen = chosen_files(
        user,
        references=[r[:40] for r in references],
        institution_id=token_institution(request),
    )
    if chosen is None:
        raise Http404
    return user, chosen


@router.post(
    "/bulk/reviewer",
    response={200: BulkReviewerOut, **ERRORS},
    summary="Give the files chosen to a reviewer (all or none)",
)
def bulk_reviewer(request: HttpRequest, payload: BulkReviewerIn) -> BulkReviewerOut:
    user, chosen = _chosen(request, payload.references)
    if not may_assign(user, chosen):
        raise Http404
    reviewer = reviewer_for(user, payload.reviewer_id)
    if reviewer is None:
        message = _("Choose the reviewer from the list.")
        raise ValidationFailed(message, details=[{"field": "reviewer_id", "message": message}])
    changed = {a.reference for a in assign_reviewer(chosen, reviewer=reviewer, by=user)}
    return BulkReviewerOut(
        reviewer_id=reviewer.pk,
        assigned=[a.reference for a in chosen if a.reference in changed],
        unchanged=[a.reference for a in chosen if a.reference not in changed],
    )


@router.post(
    "/bulk/messages",
    response={200: BulkMessageOut, **ERRORS},
    summary="Write the same message on each file chosen",
)
def bulk_message(request: HttpRequest, payload: BulkMessageIn) -> BulkMessageOut:
    user, chosen = _chosen(request, payload.references)
    outcome = messages.post_to_many(chosen, by=user, body=payload.body)
    return BulkMessageOut(sent=outcome.sent, refused=outcome.refused)
