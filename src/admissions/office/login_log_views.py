"""The log-ins of an institution's staff, for its administrators: newest first, by page.

An institution the reader does not administer does not exist for them (404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from admissions.catalog.models import Institution, without_rulebooks
from admissions.core.keyset import keyset_page
from admissions.people.logins import LoginEvent
from admissions.people.models import StaffRole, User
from admissions.people.permissions import (
    administered_institution_ids,
    administers,
    has_platform_role,
)

PAGE_SIZE = 50


@login_required
@require_GET
def institutions(request: HttpRequest) -> HttpResponse:
    """The institutions whose staff's log-ins the reader may see: straight there when one."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    found = Institution.objects.defer(*without_rulebooks("")).order_by("name")
    if not has_platform_role(user):
        found = found.filter(pk__in=administered_institution_ids(user))
    listed = list(found)
    if not listed:
        raise Http404
    if len(listed) == 1:
        return redirect("office:login_log", slug=listed[0].slug)
    return render(request, "office/login_logs.html", {"institutions": listed})


@login_required
@require_GET
def login_log(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    institution = Institution.objects.defer(*without_rulebooks("")).filter(slug=slug).first()
    if institution is None or not isinstance(user, User) or not administers(user, institution.pk):
        raise Http404
    staff = StaffRole.objects.filter(institution=institution).values("user_id")
    rows = LoginEvent.objects.filter(user_id__in=staff).select_related("user", "user__profile")
    page = keyset_page(rows, field="at", size=PAGE_SIZE, query=request.GET)
    return render(request, "office/login_log.html", {"institution": institution, "page": page})
