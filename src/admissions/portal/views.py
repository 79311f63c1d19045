"""The candidate's public and personal pages (profile pages are in profile_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import i18n

from admissions.people.models import User
from admissions.people.permissions import is_staff_member
from admissions.people.services import completeness, full_profile_for, set_preferred_language
from admissions.portal.offer import open_offer


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's choice is also kept for their emails."""
    response = i18n.set_language(request)
    user = request.user
    if request.method == "POST" and isinstance(user, User) and user.is_authenticated:
        set_preferred_language(user, request.POST.get("language", ""))
    return response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"offers": open_offer(timezone.now())})


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, in the RGAA's format."""
    return render(request, "portal/accessibility.html")


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
