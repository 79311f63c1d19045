"""/api/v1/staff/places and the moves the office makes on a file after the jury.

The places pages' scope (workflow.places.PLACES_ROLES): a programme outside it answers 404.
A programme's places show the offers and their windows, the waiting list in its order (the
jury's rank) with each file's place in line, and the latest movements; the list is called by
the services themselves whenever a place frees up, so the one move the office makes on it is
releasing a place kept after its window. The obtained diploma, the condition and the visa are
the after-jury panel's moves of the whole file's page, through the same services.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.api.staff import WholeFileOut, staff_application, whole_file_out
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids, can_act_on_programme
from admissions.rules.deadlines import paris_date
from admissions.workflow import conditions, confirmation, international, places, waitlist

router = Router(tags=["places"], auth=user_auth)
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


class ProgrammePlacesOut(Schema):
    programme_id: int
    programme: str
    institution: str
    campaign_id: int
    campaign: str
    capacity: int
    confirmed: int
    offered: int
    waiting: int


@router.get(
    "/places",
    response={200: list[ProgrammePlacesOut], **ERRORS},
    summary="Each programme of mine with files past the jury: places and waiting list",
)
def list_places(request: HttpRequest) -> list[ProgrammePlacesOut]:
    user = caller(request)
    scope = allowed_programme_ids(user, places.PLACES_ROLES)
    bound = token_institution(request)
    if bound is not None:
        scope = scope.filter(institution_id=bound)
    counted = places.counts_by_programme(scope)
    if not counted and not scope.exists():
        raise Http404
    programmes = Programme.objects.select_related("institution").in_bulk(
        {row["programme_id"] for row in counted}
    )
    campaigns = Campaign.objects.defer(*without_rulebooks("")).in_bulk(
        {row["campaign_id"] for row in counted}
    )
    return [
        ProgrammePlacesOut(
            programme_id=row["programme_id"],
            programme=programmes[row["programme_id"]].name,
            institution=programmes[row["programme_id"]].institution.slug,
            campaign_id=row["campaign_id"],
            campaign=campaigns[row["campaign_id"]].name,
            capacity=programmes[row["programme_id"]].capacity,
            confirmed=row["confirmed"],
            offered=row["offered"],
            waiting=row["waiting"],
        )
        for row in counted
    ]


class CountsOut(Schema):
    capacity: int
    confirmed: int
    open: int = Field(description="offered, within their window")
    overdue: int = Field(description="offered, their window over")
    free: int
    waiting: int


class RunningOfferOut(Schema):
    reference: str
    candidate: str
    status: str
    deadline: dt.datetime = Field(description="the first instant too late to confirm (UTC)")
    last_day: dt.date
    overdue: bool


class WaitingLineOut(Schema):
    position: int = Field(description="the place in line (1 is called first)")
    reference: str
    candidate: str
    rank: int | None = Field(description="the rank the jury gave")


class MovementOut(Schema):
    at: dt.datetime
    reference: str
    candidate: str
    action: str
    from_status: str
    to_status: str
    actor: str


class ProgrammePlacesDetailOut(Schema):
    programme_id: int
    programme: str
    campaign_id: int
    campaign: str
    policy: str = Field(description="what becomes of a place not confirmed in time")
    can_release: bool
    counts: CountsOut
    offers: list[RunningOfferOut]
    waiting_list: list[WaitingLineOut]
    movements: list[MovementOut]


def _scope(request: HttpRequest, programme_id: int, campaign_id: int) -> tuple[User, Programme]:
    user = caller(request)
    if not can_act_on_programme(user, programme_id, places.PLACES_ROLES):
        raise Http404
    programme = get_object_or_404(Programme, pk=programme_id)
    bound = token_institution(request)
    if bound is not None and programme.institution_id != bound:
        raise Http404
    return user, programme


@router.get(
    "/places/{programme_id}/{campaign_id}",
    response={200: ProgrammePlacesDetailOut, **ERRORS},
    summary="A programme's places, offers, ranked waiting list and latest movements",
)
def read_places(
    request: HttpRequest, programme_id: int, campaign_id: int
) -> ProgrammePlacesDetailOut:
    user, programme = _scope(request, programme_id, campaign_id)
    campaign = get_object_or_404(
        Campaign.objects.select_related("institution").defer(*without_rulebooks("institution")),
        pk=campaign_id,
        institution_id=programme.institution_id,
    )
    now = timezone.now()
    running = places.offers(programme.pk, campaign)
    counts = places.count_places(programme, campaign, now=now, found=running)
    offered = Application.objects.select_related("candidate").in_bulk(
        [offer.application_id for offer in running]
    )
    waiting = list(waitlist.ranked(programme.pk, campaign.pk).select_related("candidate"))
    return ProgrammePlacesDetailOut(
        programme_id=programme.pk,
        programme=programme.name,
        campaign_id=campaign.pk,
        campaign=campaign.name,
        policy=str(places.policy_of(campaign)),
        can_release=can_act_on_programme(user, programme.pk, confirmation.RELEASERS),
        counts=CountsOut(
            capacity=counts.capacity,
            confirmed=counts.confirmed,
            open=counts.open,
            overdue=counts.overdue,
            free=counts.free,
            waiting=counts.waiting,
        ),
        offers=[
            RunningOfferOut(
                reference=offer.reference,
                candidate=_name(offered[offer.application_id].candidate),
                status=offered[offer.application_id].status,
                deadline=offer.deadline,
                last_day=confirmation.last_day(offer.deadline),
                overdue=offer.overdue(now),
            )
            for offer in running
            if offer.application_id in offered
        ],
        waiting_list=[
            WaitingLineOut(
                position=position,
                reference=application.reference,
                candidate=_name(application.candidate),
                rank=application.waitlist_rank,
            )
            for position, application in enumerate(waiting, start=1)
        ],
        movements=[
            MovementOut(
                at=event.at,
                reference=event.application.reference,
                candidate=_name(event.application.candidate),
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                actor=_name(event.actor),
            )
            for event in waitlist.movements(programme.pk, campaign.pk)
        ],
    )


# Moves on a file after the jury --------------------------------------------------------------


def _in_places_scope(request: HttpRequest, reference: str) -> tuple[User, Application]:
    application = staff_application(request, reference)
    user = caller(request)
    if not can_act_on_programme(user, application.programme_id, places.PLACES_ROLES):
        raise Http404
    return user, application


@router.post(
    "/files/{reference}/release",
    response={200: WholeFileOut, **ERRORS},
    summary="Release a place not confirmed in time (the waiting list is called)",
)
def release(request: HttpRequest, reference: str) -> WholeFileOut:
    user, application = _in_places_scope(request, reference)
    confirmation.release_place(application, by=user)
    return whole_file_out(staff_application(request, reference))


class ObtainedDiplomaIn(Input):
    decision: Literal["ask", "accept"] = Field(
        description="ask for the obtained diploma, or accept the one the candidate sent"
    )


@router.post(
    "/files/{reference}/diploma",
    response={200: WholeFileOut, **ERRORS},
    summary="Ask for the obtained diploma of an admission on condition, or accept it",
)
def diploma(request: HttpRequest, reference: str, payload: ObtainedDiplomaIn) -> WholeFileOut:
    application = staff_application(request, reference)
    user = caller(request)
    if payload.decision == "accept":
        conditions.accept_diploma(application, by=user)
    else:
        conditions.ask_for_diploma(application, by=user)
    return whole_file_out(staff_application(request, reference))


@router.post(
    "/files/{reference}/lift-condition",
    response={200: WholeFileOut, **ERRORS},
    summary="Lift the condition of an admission: the diploma is accepted",
)
def lift_condition(request: HttpRequest, reference: str) -> WholeFileOut:
    conditions.lift_condition(staff_application(request, reference), by=caller(request))
    return whole_file_out(staff_application(request, reference))


class VisaIn(Input):
    outcome: Literal["granted", "refused"]
    decided_on: dt.date | None = Field(default=None, description="empty: today (Paris)")


@router.post(
    "/files/{reference}/visa",
    response={200: WholeFileOut, **ERRORS},
    summary="Record the consulate's decision on the candidate's visa",
)
def visa(request: HttpRequest, reference: str, payload: VisaIn) -> WholeFileOut:
    application = staff_application(request, reference)
    user = caller(request)
    decided_on = payload.decided_on or paris_date(timezone.now())
    if payload.outcome == "refused":
        international.record_visa_refused(application, by=user, decided_on=decided_on)
    else:
        international.record_visa_granted(application, by=user, decided_on=decided_on)
    return whole_file_out(staff_application(request, reference))
