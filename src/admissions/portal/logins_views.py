"""A person's own recent log-ins (made and refused), newest first, a page at a time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from admissions.core.keyset import keyset_page
from admissions.people.logins import LoginEvent
from admissions.people.models import User

PAGE_SIZE = 30


@login_required
@require_GET
def logins(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    page = keyset_page(
        LoginEvent.objects.filter(user=user), field="at", size=PAGE_SIZE, query=request.GET
    )
    return render(request, "portal/logins.html", {"page": page})
