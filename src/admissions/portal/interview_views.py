"""The candidate books, moves or cancels an interview slot of their file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from admissions.applications import queries
from admissions.core.errors import DomainError
from admissions.people.models import User
from admissions.review import interviews
from admissions.review.models import Interview, InterviewSlot


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def interview(request: HttpRequest, reference: str) -> HttpResponse:
    application = queries.own_application(_user(request), reference)
    booked = (
        Interview.objects.filter(application=application)
        .select_related("slot", "slot__interviewer")
        .first()
    )
    now = timezone.now()
    slot = booked.slot if booked else None
    context = {
        "application": application,
        "interview": booked,
        "slots": list(interviews.free_slots(application.programme, now=now)) if booked else [],
        "can_change": bool(slot and slot.starts_at > now + interviews.CHANGE_CUTOFF),
        "cutoff_hours": int(interviews.CHANGE_CUTOFF.total_seconds() // 3600),
        "purpose": application.rules.interview.purpose,
    }
    return render(request, "portal/applications/interview.html", context)


@login_required
@require_POST
def book(request: HttpRequest, reference: str) -> HttpResponse:
    application = queries.own_application(_user(request), reference)
    slot = get_object_or_404(
        InterviewSlot, pk=request.POST.get("slot") or 0, programme_id=application.programme_id
    )
    try:
        interviews.book(application, slot=slot, by=_user(request))
        messages.success(request, _("Your interview is booked."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("portal:application_interview", reference=application.reference)


@login_required
@require_POST
def cancel(request: HttpRequest, reference: str) -> HttpResponse:
    application = queries.own_application(_user(request), reference)
    try:
        interviews.cancel(application, by=_user(request))
        messages.success(request, _("Your booking is cancelled: choose another slot."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("portal:application_interview", reference=application.reference)
