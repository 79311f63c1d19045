"""The staff's entry page: what each role can reach, and the latest files of their programmes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.office.confirm_views import campaign_values
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import allowed_programme_ids, has_platform_role

PAGE_SIZE = 50
FILE_ROLES = (
    Role.ADMISSIONS_OFFICER,
    Role.PEDAGOGICAL_LEAD,
    Role.INTERVIEWER,
    Role.JURY_MEMBER,
    Role.JURY_PRESIDENT,
    Role.INSTITUTION_ADMIN,
)


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    roles = set(StaffRole.objects.filter(user=user).values_list("role", flat=True))
    platform = has_platform_role(user)
    if not roles and not platform:
        raise Http404
    files = (
        Application.objects.filter(programme_id__in=allowed_programme_ids(user, FILE_ROLES))
        .exclude(status=Status.DRAFT)
        # Not the campaign: each carries its whole rulebook, which this list never shows.
        .select_related("candidate", "candidate__profile", "programme")
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "finance": platform or Role.FINANCE_OFFICER in roles,
        "importer": platform or bool(roles & {Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN}),
        "platform": platform,
        "roles": sorted(Role(role).label for role in roles),
        "to_confirm": sum(group.pending for group in campaign_values(user)),
    }
    return render(request, "office/home.html", context)
