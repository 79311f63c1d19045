"""Why a staff member is asked to set a second factor up, and where to do it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from admissions.people.models import User
from admissions.people.second_factor import Standing, standing


@login_required
@require_GET
def second_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    wanted = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        wanted = ""
    found = standing(request, user)
    if found is Standing.SATISFIED and wanted:
        return redirect(wanted)
    return render(
        request,
        "office/second_factor.html",
        {"standing": found.value, "next": wanted},
    )
