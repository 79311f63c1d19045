"""/api/v1/staff: the staff's list of files, the whole file, and the moves made from it.

The same scope as the office pages: a file outside the programmes the caller holds a role
on, or outside the institution a token is tied to, answers 404. The list takes the page's
filters (applications/queue.py) and pages by cursor as the page does (core/keyset.py); each
move calls the service the page calls, which checks the caller's role for that move.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.router import reverse_in_area
from admissions.api.schemas import ErrorOut, Input
from admissions.api.staff_queue import queue_answer
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.core.errors import ValidationFailed
from admissions.documents.access import is_staff_on
from admissions.documents.models import Document
from admissions.people.models import User
from admissions.people.permissions import is_staff_member
from admissions.review import admissibility, completeness, interviews, notes
from admissions.review.completeness import RejectionReason
from admissions.review.file_data import whole_file
from admissions.review.models import Outcome, Recommendation
from admissions.review.scores import MAX_SCORE, Score

router = Router(tags=["staff"], auth=user_auth)
# A version's download link is the documents area's: reversed there alone, it loads that
# area and no other (router.reverse_in_area).
DOCUMENTS = "admissions.api.documents.router"
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


# The list ---------------------------------------------------------------------------------


class FilterQuery(Schema):
    # Stated, not a docstring: the API's schema shows it, and the server drops docstrings.
    __doc__ = (
        "The filters of the office's list (unknown or malformed values are ignored, as there)."
    )

    status: str = Field(default="", max_length=40)
    programme: str = Field(default="", max_length=20, description="programme id")
    campaign: str = Field(default="", max_length=20, description="campaign id")
    q: str = Field(default="", max_length=100, description="reference, email or name start")
    waiting: str = Field(default="", max_length=20, description="in this status for N days")
    route: str = Field(default="", max_length=60, description="entry route (slug)")
    nationality: str = Field(default="", max_length=10, description="eu or non_eu")
    abroad: str = Field(default="", max_length=5, description="diploma from abroad: yes or no")
    financing: str = Field(default="", max_length=60, description="financing mode (slug)")
    track: str = Field(default="", max_length=20)
    assigned: str = Field(default="", max_length=5, description="me: the files given to me")
    late: str = Field(default="", max_length=5, description="1: over the step's target")


class QueueQuery(FilterQuery):
    after: str = Field(default="", max_length=80, description="cursor: the page after")
    before: str = Field(default="", max_length=80, description="cursor: the page before")
    last: str = Field(default="", max_length=5, description="any value: the oldest page")


class QueueRowOut(Schema):
    reference: str
    status: str
    status_label: str
    candidate: str
    email: str
    programme: str
    programme_id: int
    submitted_at: dt.datetime | None
    status_changed_at: dt.datetime


class QueuePageOut(Schema):
    items: list[QueueRowOut]
    next: str | None = Field(description="the URL of the next (older) page")
    previous: str | None
    first: str
    last: str


def _staff(request: HttpRequest) -> User:
    user = caller(request)
    if not is_staff_member(user):
        raise Http404
    return user


def staff_application(request: HttpRequest, reference: str) -> Application:
    """The file if the caller may read it as staff (and the token reaches its institution)."""
    user = _staff(request)
    application = (
        Application.objects.select_related(
            "candidate", "candidate__profile", "programme", "campaign"
        )
        .filter(reference=reference)
        .first()
    )
    if application is None or not is_staff_on(user, application):
        raise Http404
    bound = token_institution(request)
    if bound is not None and application.programme.institution_id != bound:
        raise Http404
    return application


@router.get(
    "/files",
    response={200: QueuePageOut, **ERRORS},
    url_name="staff_files",
    summary="The files of my programmes, newest submitted first",
)
def list_files(request: HttpRequest, query: Query[QueueQuery]) -> HttpResponse:
    # The answer is written as `QueuePageOut`'s JSON, without a model per row (staff_queue.py).
    return queue_answer(_staff(request), request.GET, token_institution(request))


# The whole file ---------------------------------------------------------------------------


class StaffVersionOut(Schema):
    number: int
    file_name: str
    size: int
    type: str
    scan_status: str
    uploaded_at: dt.datetime | None
    download: str


class StaffDocumentOut(Schema):
    state: str
    valid_until: dt.date | None
    staff_reason: str
    versions: list[StaffVersionOut]


class DocumentRowOut(Schema):
    code: str
    label: str
    reviewable: bool
    document: StaffDocumentOut | None
    translation: StaffDocumentOut | None


class ChargeOut(Schema):
    charge_kind: str
    instalment: int | None
    charged_cents: int
    paid_cents: int
    refunded_cents: int
    written_off_cents: int
    outstanding_cents: int
    due_on: dt.date | None


class GridLineOut(Schema):
    code: str
    label: str
    score: int | None
    comment: str


class ReviewOut(Schema):
    outcome: str
    comment: str
    created_at: dt.datetime
    grid: list[GridLineOut]


class StaffInterviewOut(Schema):
    state: str
    starts_at: dt.datetime | None
    interviewer: str
    recommendation: str
    comment: str
    grid: list[GridLineOut]


class NoteOut(Schema):
    author: str
    text: str
    created_at: dt.datetime


class HistoryOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    details: dict[str, Any]


class CandidateOut(Schema):
    name: str
    email: str
    given_names: str
    family_name: str
    birth_date: dt.date | None
    birth_place: str
    nationality: str
    residence_country: str
    phone: str
    experience_years: str


class WholeFileOut(Schema):
    reference: str
    status: str
    status_label: str
    institution: str
    campaign_id: int
    programme: str
    programme_id: int
    track: str
    financing_mode: str
    submitted_at: dt.datetime | None
    cover_letter: str
    professional_project: str
    route: str
    eligibility_notes: list[str]
    candidate: CandidateOut
    documents: list[DocumentRowOut]
    charges: list[ChargeOut]
    balance_cents: int
    review: ReviewOut | None
    interview: StaffInterviewOut | None
    notes: list[NoteOut]
    history: list[HistoryOut]


def _document(document: Document | None, versions: list[Any]) -> StaffDocumentOut | None:
    if document is None:
        return None
    return StaffDocumentOut(
        state=document.state,
        valid_until=document.valid_until,
        staff_reason=document.staff_reason,
        versions=[
            StaffVersionOut(
                number=v.number,
                file_name=v.original_filename,
                size=v.size,
                type=v.detected_type,
                scan_status=v.scan_status,
                uploaded_at=getattr(v, "created_at", None),
                download=reverse_in_area(DOCUMENTS, "document_file", [v.public_id]),
            )
            for v in versions
        ],
    )


def _grid(lines: list[Any]) -> list[GridLineOut]:
    return [
        GridLineOut(code=g.code, label=g.label, score=g.score, comment=g.comment) for g in lines
    ]


def whole_file_out(application: Application) -> WholeFileOut:
    data = whole_file(application)
    profile = data.profile
    candidate = application.candidate
    review = data.review
    interview = data.interview
    return WholeFileOut(
        reference=application.reference,
        status=application.status,
        status_label=str(Status(application.status).label),
        institution=application.campaign.institution.slug,
        campaign_id=application.campaign_id,
        programme=application.programme.name,
        programme_id=application.programme_id,
        track=application.track,
        financing_mode=application.financing_mode,
        submitted_at=application.submitted_at,
        cover_letter=application.cover_letter,
        professional_project=application.professional_project,
        route=data.route_label,
        eligibility_notes=data.eligibility_notes,
        candidate=CandidateOut(
            name=candidate.get_full_name() or candidate.email,
            email=candidate.email,
            given_names=profile.given_names if profile else "",
            family_name=profile.family_name if profile else "",
            birth_date=profile.birth_date if profile else None,
            birth_place=profile.birth_place if profile else "",
            nationality=profile.nationality if profile else "",
            residence_country=profile.residence_country if profile else "",
            phone=profile.phone if profile else "",
            experience_years=data.experience_years,
        ),
        documents=[
            DocumentRowOut(
                code=row.code,
                label=row.label,
                reviewable=row.reviewable,
                document=_document(row.document, row.versions),
                translation=_document(row.translation, []),
            )
            for row in data.documents
        ],
        charges=[
            ChargeOut(
                charge_kind=line.charge_kind,
                instalment=line.instalment,
                charged_cents=line.charged,
                paid_cents=line.paid,
                refunded_cents=line.refunded,
                written_off_cents=line.written_off,
                outstanding_cents=line.outstanding,
                due_on=line.due_on,
            )
            for line in data.charges
        ],
        balance_cents=data.balance_cents,
        review=ReviewOut(
            outcome=review.outcome,
            comment=review.comment,
            created_at=review.created_at,
            grid=_grid(data.review_grid),
        )
        if review
        else None,
        interview=StaffInterviewOut(
            state=interview.state,
            starts_at=interview.slot.starts_at if interview.slot else None,
            interviewer=(
                interview.slot.interviewer.get_full_name() or interview.slot.interviewer.email
            )
            if interview.slot
            else "",
            recommendation=interview.recommendation,
            comment=interview.comment,
            grid=_grid(data.interview_grid),
        )
        if interview
        else None,
        notes=[
            NoteOut(
                author=n.author.get_full_name() or n.author.email,
                text=n.text,
                created_at=n.created_at,
            )
            for n in data.notes
        ],
        history=[
            HistoryOut(
                at=h.at,
                actor=h.actor,
                action=h.action,
                from_status=h.from_label,
                to_status=h.to_label,
                details=h.details,
            )
            for h in data.history
        ],
    )


@router.get(
    "/files/{reference}",
    response={200: WholeFileOut, **ERRORS},
    summary="The whole file, as its office page shows it",
)
def read_file(request: HttpRequest, reference: str) -> WholeFileOut:
    return whole_file_out(staff_application(request, reference))


# Moves --------------------------------------------------------------------------------------


class JudgeIn(Input):
    decision: Literal["accept", "reject"]
    translation: bool = False
    reason: RejectionReason | None = Field(default=None, description="required to reject")
    note: str = Field(default="", max_length=1000)


class ScoreIn(Input):
    score: int = Field(ge=0, le=MAX_SCORE)
    comment: str = Field(default="", max_length=2000)


class AdmissibilityIn(Input):
    scores: dict[str, ScoreIn] = Field(description="one score per criterion code")
    outcome: Outcome
    comment: str = Field(default="", max_length=5000)


class InterviewGridIn(Input):
    scores: dict[str, ScoreIn] = Field(default_factory=dict)
    recommendation: Recommendation | None = None
    comment: str = Field(default="", max_length=5000)
    no_show: bool = False


class NoteIn(Input):
    text: str = Field(min_length=1, max_length=5000)


def _scores(scores: dict[str, ScoreIn]) -> dict[str, Score]:
    return {code: Score(value.score, value.comment) for code, value in scores.items()}


@router.post(
    "/files/{reference}/documents/{code}",
    response={200: WholeFileOut, **ERRORS},
    summary="Accept or reject one document of the file",
)
def judge_document(
    request: HttpRequest, reference: str, code: str, payload: JudgeIn
) -> WholeFileOut:
    user = _staff(request)
    application = staff_application(request, reference)
    document = get_object_or_404(
        Document,
        application=application,
        requirement_code=code,
        translation_of__isnull=not payload.translation,
    )
    if payload.decision == "accept":
        completeness.accept(document, by=user)
    else:
        if payload.reason is None:
            message = _("Choose a reason from the list.")
            raise ValidationFailed(message, details=[{"field": "reason", "message": message}])
        completeness.reject(document, by=user, reason=payload.reason, note=payload.note)
    return whole_file_out(staff_application(request, reference))


@router.post(
    "/files/{reference}/complete",
    response={200: WholeFileOut, **ERRORS},
    summary="Declare the file complete",
)
def mark_complete(request: HttpRequest, reference: str) -> WholeFileOut:
    completeness.mark_complete(staff_application(request, reference), by=_staff(request))
    return whole_file_out(staff_application(request, reference))


@router.post(
    "/files/{reference}/admissibility",
    response={200: WholeFileOut, **ERRORS},
    summary="Record the admissibility opinion (the review)",
)
def record_admissibility(
    request: HttpRequest, reference: str, payload: AdmissibilityIn
) -> WholeFileOut:
    admissibility.record_admissibility(
        staff_application(request, reference),
        by=_staff(request),
        scores=_scores(payload.scores),
        outcome=payload.outcome,
        comment=payload.comment,
    )
    return whole_file_out(staff_application(request, reference))


@router.post(
    "/files/{reference}/interview/invite",
    response={200: WholeFileOut, **ERRORS},
    summary="Invite the candidate to book an interview slot",
)
def invite(request: HttpRequest, reference: str) -> WholeFileOut:
    interviews.invite(staff_application(request, reference), by=_staff(request))
    return whole_file_out(staff_application(request, reference))


@router.post(
    "/files/{reference}/interview",
    response={200: WholeFileOut, **ERRORS},
    summary="Record the interview's grid, or that the candidate did not come",
)
def record_interview(
    request: HttpRequest, reference: str, payload: InterviewGridIn
) -> WholeFileOut:
    user = _staff(request)
    application = staff_application(request, reference)
    if payload.no_show:
        interviews.record_no_show(application, by=user, comment=payload.comment)
    elif payload.recommendation is None:
        message = _("Score every criterion between 0 and 20, and give a recommendation.")
        raise ValidationFailed(message, details=[{"field": "recommendation", "message": message}])
    else:
        interviews.record_interview(
            application,
            by=user,
            scores=_scores(payload.scores),
            recommendation=payload.recommendation,
            comment=payload.comment,
        )
    return whole_file_out(staff_application(request, reference))


@router.post(
    "/files/{reference}/notes",
    response={200: WholeFileOut, **ERRORS},
    summary="Add a note for the team",
)
def add_note(request: HttpRequest, reference: str, payload: NoteIn) -> WholeFileOut:
    notes.add_note(staff_application(request, reference), by=_staff(request), text=payload.text)
    return whole_file_out(staff_application(request, reference))
