"""The staff's entry page: what each role can reach, and the latest files of their programmes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.core.keyset import count_up_to, keyset_page
from admissions.people.models import Role, User
from admissions.people.permissions import allowed_programme_ids, has_platform_role, staff_roles

PAGE_SIZE = 50
# The page says how many files up to this many, then "more than": counting all is not free.
COUNTED = 1000
FILE_ROLES = (
    Role.ADMISSIONS_OFFICER,
    Role.PEDAGOGICAL_LEAD,
    Role.INTERVIEWER,
    Role.JURY_MEMBER,
    Role.JURY_PRESIDENT,
    Role.INSTITUTION_ADMIN,
)


LISTED = (
    "reference",
    "status",
    "submitted_at",
    "candidate__first_name",
    "candidate__last_name",
    "candidate__email",
    "programme__name_fr",
    "programme__name_en",
)


@dataclass(frozen=True)
class Row:
    reference: str
    link: str
    candidate: str
    programme: str
    status: str
    submitted_at: dt.datetime | None


def rows_of(files: list[Application]) -> list[Row]:
    """The rows as the list shows them, each value worked out once per page, not per row."""
    labels = {value: str(label) for value, label in Status.choices}
    # One reverse() for the page: the reference is the link's only variable part.
    placeholder = "REFERENCE"
    link = reverse("documents:list", args=[placeholder])
    return [
        Row(
            reference=file.reference,
            link=link.replace(placeholder, quote(file.reference)),
            candidate=file.candidate.get_full_name() or file.candidate.email,
            programme=file.programme.name,
            status=labels.get(file.status, file.status),
            submitted_at=file.submitted_at,
        )
        for file in files
    ]


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    roles = set(staff_roles(user))
    platform = has_platform_role(user)
    if not roles and not platform:
        raise Http404
    files = Application.objects.filter(
        programme_id__in=allowed_programme_ids(user, FILE_ROLES)
    ).exclude(status=Status.DRAFT)
    # Newest submitted first, by position (index `application_submitted_order`), reading
    # only the columns shown: not a file's texts, nor its campaign and rulebook.
    page = keyset_page(
        files.select_related("candidate", "programme").only(*LISTED),
        field="submitted_at",
        size=PAGE_SIZE,
        query=request.GET,
    )
    context = {
        "page": page,
        "rows": rows_of(page.rows),
        "count": count_up_to(files, COUNTED),
        "counted": COUNTED,
        "finance": platform or Role.FINANCE_OFFICER in roles,
        "importer": platform or bool(roles & {Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN}),
        "platform": platform,
        "roles": sorted(Role(role).label for role in roles),
    }
    return render(request, "office/home.html", context)
