"""The staff's entry page: what each role can reach, and the latest files of their programmes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.notify.overrides import editable_institutions
from admissions.office.confirm_views import campaign_values
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import allowed_programme_ids, has_platform_role
from admissions.workflow.messages import unread_for_staff

PAGE_SIZE = 50
FILE_ROLES = (
    Role.ADMISSIONS_OFFICER,
    Role.PEDAGOGICAL_LEAD,
    Role.INTERVIEWER,
    Role.JURY_MEMBER,
    Role.JURY_PRESIDENT,
    Role.INSTITUTION_ADMIN,
    Role.FINANCE_OFFICER,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Like every staff page: a visitor is sent to log in, a signed-in non-member is refused.
    user = request.user
    assert isinstance(user, User)
    roles = set(StaffRole.objects.filter(user=user).values_list("role", flat=True))
    platform = has_platform_role(user)
    if not roles and not platform:
        raise PermissionDenied
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
        # The files whose payments this user handles link to their finance page too.
        "finance_programmes": set(
            allowed_programme_ids(user, [Role.FINANCE_OFFICER]).values_list("pk", flat=True)
        ),
        "importer": platform or bool(roles & {Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN}),
        "platform": platform,
        "roles": sorted(Role(role).label for role in roles),
        "unread": sum(unread_for_staff(user).values()),
        "emails_admin": editable_institutions(user).exists(),
        "to_confirm": sum(group.pending for group in campaign_values(user)),
    }
    return render(request, "office/home.html", context)
