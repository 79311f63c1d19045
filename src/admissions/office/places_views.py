"""A programme's places after the jury: the offers and their windows, the waiting list with
ranks and positions, its latest movements; the office releases a place kept after its window."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.core.errors import DomainError
from admissions.office.enrolment_views import EXPORTERS
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids, can_act_on_programme
from admissions.rules.vocabulary import AfterWindow
from admissions.workflow import confirmation, places, waitlist

PLACES_ROLES = places.PLACES_ROLES


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    return user


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    campaign: Campaign
    confirmed: int
    offered: int
    waiting: int


@login_required
def places_index(request: HttpRequest) -> HttpResponse:
    """Each programme and campaign in scope with files past the jury, and their counts."""
    user = _user(request)
    counted = places.counts_by_programme(allowed_programme_ids(user, PLACES_ROLES))
    if not counted and not allowed_programme_ids(user, PLACES_ROLES).exists():
        raise Http404
    programmes = Programme.objects.in_bulk({row["programme_id"] for row in counted})
    campaigns = Campaign.objects.defer(*without_rulebooks("")).in_bulk(
        {row["campaign_id"] for row in counted}
    )
    rows = [
        ProgrammeRow(
            programme=programmes[row["programme_id"]],
            campaign=campaigns[row["campaign_id"]],
            confirmed=row["confirmed"],
            offered=row["offered"],
            waiting=row["waiting"],
        )
        for row in counted
    ]
    can_export = allowed_programme_ids(user, EXPORTERS).exists()
    return render(request, "office/places_index.html", {"rows": rows, "can_export": can_export})


@dataclass(frozen=True)
class OfferRow:
    application: Application
    offer: places.Offer
    overdue: bool
    last_day: object


@dataclass(frozen=True)
class Movement:
    event: ApplicationEvent
    from_label: str
    to_label: str


def _label(status: str) -> str:
    try:
        return str(Status(status).label)
    except ValueError:
        return status


def _scope(user: User, programme_id: int, campaign_id: int) -> tuple[Programme, Campaign]:
    if not can_act_on_programme(user, programme_id, PLACES_ROLES):
        raise Http404
    programme = get_object_or_404(Programme, pk=programme_id)
    campaign = get_object_or_404(
        Campaign.objects.select_related("institution").defer(*without_rulebooks("institution")),
        pk=campaign_id,
        institution_id=programme.institution_id,
    )
    return programme, campaign


@login_required
def places_page(request: HttpRequest, programme_id: int, campaign_id: int) -> HttpResponse:
    user = _user(request)
    programme, campaign = _scope(user, programme_id, campaign_id)
    now = timezone.now()
    running = places.offers(programme.pk, campaign)
    counts = places.count_places(programme, campaign, now=now, found=running)
    offered = {
        application.pk: application
        for application in Application.objects.filter(
            pk__in=[offer.application_id for offer in running]
        ).select_related("candidate", "candidate__profile")
    }
    offers = [
        OfferRow(
            application=offered[offer.application_id],
            offer=offer,
            overdue=offer.overdue(now),
            last_day=confirmation.last_day(offer.deadline),
        )
        for offer in running
        if offer.application_id in offered
    ]
    waiting = list(
        waitlist.ranked(programme.pk, campaign.pk).select_related("candidate", "candidate__profile")
    )
    policy = places.policy_of(campaign)
    return render(
        request,
        "office/places.html",
        {
            "programme": programme,
            "campaign": campaign,
            "counts": counts,
            "offers": offers,
            "waiting": list(enumerate(waiting, start=1)),
            "movements": [
                Movement(event, _label(event.from_status), _label(event.to_status))
                for event in waitlist.movements(programme.pk, campaign.pk)
            ],
            "policy": policy,
            "policy_text": POLICY_TEXT[policy],
            "can_release": can_act_on_programme(user, programme.pk, confirmation.RELEASERS),
        },
    )


POLICY_TEXT = {
    AfterWindow.RELEASE_AT_ONCE: gettext_lazy(
        "A place not confirmed in time is released when its window ends, and goes to the "
        "waiting list."
    ),
    AfterWindow.RELEASE_WHEN_NEEDED: gettext_lazy(
        "A place not confirmed in time is no longer guaranteed: it goes to the waiting list "
        "when a candidate waits for it; until then its candidate may still confirm."
    ),
    AfterWindow.KEEP_UNTIL_RELEASED: gettext_lazy(
        "A place not confirmed in time is kept until the admissions office releases it; "
        "until then its candidate may still confirm."
    ),
}


@require_POST
@login_required
def release(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = get_object_or_404(
        Application.objects.select_related("campaign", "programme").defer(
            *without_rulebooks("campaign")
        ),
        reference=reference,
    )
    if not can_act_on_programme(user, application.programme_id, PLACES_ROLES):
        raise Http404
    try:
        confirmation.release_place(application, by=user)
        messages.success(
            request, _("The place is released; the waiting list is called if anyone waits.")
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("office:places", application.programme_id, application.campaign_id)
