"""/api/v1/staff/jury: the jury's sessions, their agendas, decisions, validation, publication.

The scope of the office's jury pages (jury.access): a session is seen by its members and by
the office that organises its institution's juries; any other session answers 404. Each move
calls the service the deliberation page calls, which holds the rules: only a member seated on
the session decides a file of a programme their jury role covers, never one they declared a
conflict with; only the president validates, with the quorum sitting, and never a decision
they entered themselves (four eyes); the president or the office publishes, at once or at a
time set. A refusal keeps its service's code (`four_eyes`, `no_quorum`, `conflict_of_interest`,
`session_published`, `diploma_condition`, `rank_taken`...).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, JurySession, Programme, without_rulebooks
from admissions.jury import agenda, decisions, documents, publication, sessions
from admissions.jury.access import (
    ORGANISERS,
    holds_role_at,
    is_organiser,
    readable_session,
    visible_sessions,
)
from admissions.jury.decisions import diploma_in_progress
from admissions.jury.models import AgendaItem, Conflict, Decision, Seat, SessionMember
from admissions.jury.places import places_of
from admissions.people.models import User
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import JuryDecision

router = Router(tags=["jury"], auth=user_auth)
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
PAGE_SIZE = 50
LIST_MAX = 200


def _session(request: HttpRequest, session_id: int) -> tuple[User, JurySession]:
    user = caller(request)
    session = readable_session(user, session_id)
    bound = token_institution(request)
    if session is None or (bound is not None and session.campaign.institution_id != bound):
        raise Http404
    return user, session


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


# Sessions ------------------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    name: str
    slug: str
    institution: str
    campaign_id: int
    month: str
    date: dt.date | None
    files_cutoff: dt.date = Field(description="files ready by the end of this day (Paris)")
    closed: bool = Field(description="its decisions are published")
    files: int
    publish_at: dt.datetime | None
    published_at: dt.datetime | None


class SessionIn(Input):
    campaign_id: int
    date: dt.date
    files_cutoff: dt.date


def session_out(session: JurySession, files: int) -> SessionOut:
    published = getattr(session, "publication", None)
    return SessionOut(
        id=session.pk,
        name=session.name,
        slug=session.slug,
        institution=session.campaign.institution.slug,
        campaign_id=session.campaign_id,
        month=session.month,
        date=session.date,
        files_cutoff=sessions.cutoff_of(session),
        closed=sessions.is_closed(session),
        files=files,
        publish_at=published.publish_at if published else None,
        published_at=published.done_at if published else None,
    )


@router.get(
    "/sessions",
    response={200: list[SessionOut], **ERRORS},
    summary="The jury sessions I sit on or organise",
)
def list_sessions(request: HttpRequest) -> list[SessionOut]:
    visible = visible_sessions(caller(request))
    if visible is None:
        raise Http404
    bound = token_institution(request)
    if bound is not None:
        visible = visible.filter(campaign__institution_id=bound)
    rows = (
        visible.select_related("campaign__institution", "publication")
        .defer(*without_rulebooks("campaign", "campaign__institution"))
        .annotate(agenda_files=Count("agenda", distinct=True))
        .order_by("-campaign__opens_on", "month", "date", "pk")[:LIST_MAX]
    )
    return [session_out(row, row.agenda_files) for row in rows]


@router.post(
    "/sessions",
    response={201: SessionOut, **ERRORS},
    summary="Set a session of a rolling jury (the office)",
)
def create_session(request: HttpRequest, payload: SessionIn) -> Answer[SessionOut]:
    user = caller(request)
    campaign = Campaign.objects.select_related("institution").filter(pk=payload.campaign_id).first()
    bound = token_institution(request)
    if (
        campaign is None
        or (bound is not None and campaign.institution_id != bound)
        or not holds_role_at(user, campaign.institution_id, ORGANISERS)
    ):
        raise Http404
    created = sessions.create_session(
        campaign, by=user, date=payload.date, files_cutoff=payload.files_cutoff
    )
    return Answer(201, session_out(created, 0))


class MemberOut(Schema):
    id: int
    user_id: int
    name: str
    seat: str = Field(description="president or member")
    present: bool


class PlacesOut(Schema):
    programme_id: int
    programme: str
    capacity: int
    holding: int = Field(description="confirmed places")
    offered: int = Field(description="admitted, not confirmed yet")
    pending: int = Field(description="admitting decisions not published yet")
    left: int
    derogatory: int
    cap_percent: int | None


class SessionDetailOut(SessionOut):
    quorum: int
    present: int
    members: list[MemberOut]
    my_seat: str | None = Field(description="president, member, or none")
    organiser: bool = Field(description="I organise this session (the office)")
    can_publish: bool
    decisions_entered: int = Field(description="entered, not validated yet")
    decisions_validated: int = Field(description="validated, not published yet")
    decisions: list[str] = Field(description="the decisions this institution's jury gives")
    reasons_required_for: list[str]
    places: list[PlacesOut]


@router.get(
    "/sessions/{session_id}",
    response={200: SessionDetailOut, **ERRORS},
    summary="A session: its members, quorum, decisions waiting and places",
)
def read_session(request: HttpRequest, session_id: int) -> SessionDetailOut:
    user, session = _session(request, session_id)
    rules = session.campaign.rules.jury
    members = list(sessions.members_of(session).order_by("pk"))
    mine = next((m for m in members if m.user_id == user.pk), None)
    organiser = is_organiser(user, session)
    pending = Decision.objects.filter(session=session, published_at__isnull=True).aggregate(
        entered=Count("pk", filter=Q(validated_at__isnull=True)),
        validated=Count("pk", filter=Q(validated_at__isnull=False)),
    )
    programmes = list(
        Programme.objects.filter(
            institution_id=session.campaign.institution_id, is_active=True
        ).order_by("slug")
    )
    places = places_of(session.campaign, programmes)
    files = AgendaItem.objects.filter(session=session).count()
    return SessionDetailOut(
        **session_out(session, files).dict(),
        quorum=rules.quorum,
        present=sum(1 for m in members if m.present),
        members=[
            MemberOut(
                id=m.pk, user_id=m.user_id, name=_name(m.user), seat=m.seat, present=m.present
            )
            for m in members
        ],
        my_seat=mine.seat if mine else None,
        organiser=organiser,
        can_publish=organiser or (mine is not None and mine.seat == Seat.PRESIDENT),
        decisions_entered=pending["entered"],
        decisions_validated=pending["validated"],
        decisions=[str(d) for d in rules.decisions],
        reasons_required_for=[str(d) for d in rules.reasons_required_for],
        places=[
            PlacesOut(
                programme_id=p.pk,
                programme=p.name,
                capacity=places[p.pk].capacity,
                holding=places[p.pk].holding,
                offered=places[p.pk].offered,
                pending=places[p.pk].pending,
                left=places[p.pk].left,
                derogatory=places[p.pk].derogatory,
                cap_percent=places[p.pk].cap_percent,
            )
            for p in programmes
        ],
    )


# The agenda ----------------------------------------------------------------------------------


class DecisionOut(Schema):
    outcome: str
    waitlist_rank: int | None
    reason: str
    derogatory: bool
    diploma_obtained: bool | None
    entered_by: str
    entered_at: dt.datetime
    validated_by: str
    validated_at: dt.datetime | None
    published_at: dt.datetime | None


class AgendaItemOut(Schema):
    id: int = Field(description="the item's place in the agenda (the cursor)")
    reference: str
    status: str
    candidate: str
    programme: str
    programme_id: int
    route_kind: str
    experience_years: str
    conditional_admission: bool
    diploma_in_progress: bool
    documents: int
    review_outcome: str
    interview_recommendation: str
    conflicted_members: list[int] = Field(description="user ids of members in conflict")
    decision: DecisionOut | None


class AgendaPageOut(Schema):
    items: list[AgendaItemOut]
    next_after: int | None = Field(description="pass as `after` for the next page")


class AgendaQuery(Schema):
    after: int = Field(default=0, ge=0, description="the id of the last item already read")


def _decision(decision: Decision | None) -> DecisionOut | None:
    if decision is None:
        return None
    return DecisionOut(
        outcome=decision.outcome,
        waitlist_rank=decision.waitlist_rank,
        reason=decision.reason,
        derogatory=decision.derogatory,
        diploma_obtained=decision.diploma_obtained,
        entered_by=_name(decision.entered_by),
        entered_at=decision.entered_at,
        validated_by=_name(decision.validated_by),
        validated_at=decision.validated_at,
        published_at=decision.published_at,
    )


@router.get(
    "/sessions/{session_id}/agenda",
    response={200: AgendaPageOut, **ERRORS},
    summary="The files on the session's agenda, 50 at a time, with their decisions",
)
def read_agenda(request: HttpRequest, session_id: int, query: Query[AgendaQuery]) -> AgendaPageOut:
    _user, session = _session(request, session_id)
    items, more = agenda.agenda_page(session, after=query.after, size=PAGE_SIZE)
    conflicts: dict[int, list[int]] = {}
    for application_id, member_id in Conflict.objects.filter(
        application_id__in=[i.application_id for i in items]
    ).values_list("application_id", "member_id"):
        conflicts.setdefault(application_id, []).append(member_id)
    rows = [_item_out(item, conflicts.get(item.application_id, [])) for item in items]
    return AgendaPageOut(items=rows, next_after=items[-1].pk if items and more else None)


class PlaceIn(Input):
    reference: str = Field(min_length=1, max_length=40)


@router.post(
    "/sessions/{session_id}/agenda",
    response={201: AgendaItemOut, **ERRORS},
    summary="Put a ready file on the session's agenda (the office)",
)
def place_on_agenda(
    request: HttpRequest, session_id: int, payload: PlaceIn
) -> Answer[AgendaItemOut]:
    user, session = _session(request, session_id)
    application = get_object_or_404(
        Application.objects.select_related("campaign"),
        reference=payload.reference,
        campaign=session.campaign,
    )
    agenda.place_explicitly(application, session, by=user)
    return Answer(201, _agenda_item(session, application.reference))


def _item_out(item: AgendaItem, conflicted: list[int]) -> AgendaItemOut:
    application = item.application
    eligibility = application.eligibility or {}
    review = getattr(application, "admissibility_review", None)
    interview = getattr(application, "interview", None)
    return AgendaItemOut(
        id=item.pk,
        reference=application.reference,
        status=application.status,
        candidate=_name(application.candidate),
        programme=application.programme.name,
        programme_id=application.programme_id,
        route_kind=str(eligibility.get("route_kind", "")),
        experience_years=str(eligibility.get("experience_years", "")),
        conditional_admission=bool(eligibility.get("conditional_admission", False)),
        diploma_in_progress=diploma_in_progress(application),
        documents=item.documents,  # type: ignore[attr-defined]
        review_outcome=review.outcome if review else "",
        interview_recommendation=interview.recommendation if interview else "",
        conflicted_members=sorted(conflicted),
        decision=_decision(getattr(application, "jury_decision", None)),
    )


def _agenda_item(session: JurySession, reference: str) -> AgendaItemOut:
    """One file's line of the agenda, read as the agenda reads it."""
    found = AgendaItem.objects.get(session=session, application__reference=reference)
    page, _more = agenda.agenda_page(session, after=found.pk - 1, size=1)
    conflicted = Conflict.objects.filter(application_id=found.application_id)
    return _item_out(page[0], list(conflicted.values_list("member_id", flat=True)))


# Decisions -----------------------------------------------------------------------------------


class DecisionIn(Input):
    outcome: JuryDecision
    waitlist_rank: int | None = Field(default=None, ge=1, description="for the waiting list")
    reason: str = Field(default="", max_length=2000)
    diploma_obtained: bool = Field(
        default=False,
        description="the diploma in progress at submission has been obtained since",
    )


def _on_agenda(session: JurySession, reference: str) -> Application:
    return get_object_or_404(
        Application.objects.select_related("programme", "campaign"),
        reference=reference,
        agenda_item__session=session,
    )


@router.put(
    "/sessions/{session_id}/files/{reference}/decision",
    response={200: AgendaItemOut, **ERRORS},
    summary="Enter (or change) the jury's decision on a file, as a member of the session",
)
def enter_decision(
    request: HttpRequest, session_id: int, reference: str, payload: DecisionIn
) -> AgendaItemOut:
    user, session = _session(request, session_id)
    application = _on_agenda(session, reference)
    decisions.enter_decision(
        application,
        by=user,
        outcome=payload.outcome,
        reason=payload.reason,
        waitlist_rank=payload.waitlist_rank,
        diploma_obtained=payload.diploma_obtained and diploma_in_progress(application),
        via="api",
    )
    return _agenda_item(session, reference)


class ConflictIn(Input):
    reason: str = Field(min_length=1, max_length=300)
    member_id: int | None = Field(
        default=None, description="the member's user id (the office); empty: myself"
    )


@router.post(
    "/sessions/{session_id}/files/{reference}/conflict",
    response={200: AgendaItemOut, **ERRORS},
    summary="Declare a conflict of interest of a member with a file",
)
def declare_conflict(
    request: HttpRequest, session_id: int, reference: str, payload: ConflictIn
) -> AgendaItemOut:
    user, session = _session(request, session_id)
    application = _on_agenda(session, reference)
    member = get_object_or_404(
        SessionMember.objects.select_related("user"),
        session=session,
        user_id=payload.member_id or user.pk,
    ).user
    sessions.declare_conflict(
        application, member=member, reason=payload.reason, by=user, session=session
    )
    return _agenda_item(session, reference)


class ValidatedOut(Schema):
    validated: int
    left_for_another: int = Field(
        description="decisions I entered myself: another member must enter them for me"
    )


@router.post(
    "/sessions/{session_id}/validate",
    response={200: ValidatedOut, **ERRORS},
    summary="Validate the decisions others entered (the president; quorum, four eyes)",
)
def validate(request: HttpRequest, session_id: int) -> ValidatedOut:
    user, session = _session(request, session_id)
    done = decisions.validate_decisions(session, by=user)
    return ValidatedOut(validated=len(done.validated), left_for_another=len(done.left_for_another))


class PublishIn(Input):
    publish_at: dt.datetime | None = Field(
        default=None, description="when to publish (without a zone: Paris time); empty: now"
    )


class PublicationOut(Schema):
    publish_at: dt.datetime
    published_at: dt.datetime | None


@router.post(
    "/sessions/{session_id}/publish",
    response={200: PublicationOut, **ERRORS},
    summary="Publish the validated decisions, at once or at a time set",
)
def publish(request: HttpRequest, session_id: int, payload: PublishIn) -> PublicationOut:
    user, session = _session(request, session_id)
    at = payload.publish_at
    if at is not None and timezone.is_naive(at):
        at = at.replace(tzinfo=PARIS)
    done = publication.schedule_publication(session, by=user, at=at)
    return PublicationOut(publish_at=done.publish_at, published_at=done.done_at)


# Members -------------------------------------------------------------------------------------


class MemberIn(Input):
    user_id: int
    seat: Literal["president", "member"] = "member"


class PresenceIn(Input):
    present: bool


def _member_out(member: SessionMember) -> MemberOut:
    return MemberOut(
        id=member.pk,
        user_id=member.user_id,
        name=_name(member.user),
        seat=member.seat,
        present=member.present,
    )


@router.post(
    "/sessions/{session_id}/members",
    response={201: MemberOut, **ERRORS},
    summary="Seat a member or the president (the office)",
)
def add_member(request: HttpRequest, session_id: int, payload: MemberIn) -> Answer[MemberOut]:
    user, session = _session(request, session_id)
    member = get_object_or_404(User, pk=payload.user_id)
    seat = Seat.PRESIDENT if payload.seat == "president" else Seat.MEMBER
    seated = sessions.add_member(session, user=member, seat=seat, by=user)
    return Answer(201, _member_out(seated))


@router.put(
    "/sessions/{session_id}/members/{member_id}/presence",
    response={200: MemberOut, **ERRORS},
    summary="Say whether a member sits (the office)",
)
def set_presence(
    request: HttpRequest, session_id: int, member_id: int, payload: PresenceIn
) -> MemberOut:
    user, session = _session(request, session_id)
    member = get_object_or_404(
        SessionMember.objects.select_related("session__campaign"), session=session, pk=member_id
    )
    sessions.set_presence(member, present=payload.present, by=user)
    member.refresh_from_db()
    return _member_out(member)


@router.get(
    "/sessions/{session_id}/minutes",
    response={200: None, **ERRORS},
    summary="The session's minutes (PDF, in the reader's language)",
)
def minutes(request: HttpRequest, session_id: int) -> HttpResponse:
    _user, session = _session(request, session_id)
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    pdf = documents.minutes(session, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = "proces-verbal" if language == "fr" else "minutes"
    response["Content-Disposition"] = f'attachment; filename="{name}-{session.slug}.pdf"'
    return response
