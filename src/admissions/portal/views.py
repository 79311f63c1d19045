"""The candidate's public and personal pages (profile pages are in profile_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from admissions.people.models import User
from admissions.people.permissions import is_staff_member
from admissions.people.services import completeness, full_profile_for
from admissions.portal.offer import open_offer


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"offers": open_offer(timezone.now())})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and is_staff_member(user):
        # A staff account has no candidate's space: its home is the back office.
        return redirect("office:home")
    profile = full_profile_for(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "portal/dashboard.html",
        {"profile": profile, "completeness": completeness(profile)},
    )
