"""The staff's entry page: what each role can reach, and the latest files of their programmes."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.queue import Filters, filtered, read_filters
from admissions.core.keyset import count_up_to
from admissions.notify.overrides import editable_institutions
from admissions.office.file_rows import rows_html, waiting_rows_html
from admissions.office.home_campaigns import home_campaigns
from admissions.office.home_figures import home_figures
from admissions.office.home_html import (
    Shown,
    counts_head,
    counts_html,
    lateness_html,
    links_html,
    listed_html,
    options_html,
    roles_html,
    status_options_html,
    to_confirm_html,
)
from admissions.office.home_list import list_page
from admissions.office.kept_page import render_kept
from admissions.office.worklist import scope_counts, waiting_rows
from admissions.people.models import Role, User
from admissions.people.permissions import (
    allowed_programme_ids,
    has_platform_role,
    programme_scope,
    staff_roles,
)

# The page says how many files up to this many, then "more than": counting all is not free.
COUNTED = 1000
FILE_ROLES = (
    Role.ADMISSIONS_OFFICER,
    Role.PEDAGOGICAL_LEAD,
    Role.INTERVIEWER,
    Role.JURY_MEMBER,
    Role.JURY_PRESIDENT,
    Role.INSTITUTION_ADMIN,
    Role.FINANCE_OFFICER,
)


def listed_count(
    files: Callable[[], QuerySet[Application]], filters: Filters, overall: dict[str, int]
) -> int:
    """How many files the list holds, up to COUNTED + 1. Unfiltered, the list is every file
    sent to the reader's programmes: the sum of the counts per step already read."""
    if filters.narrowed:
        return count_up_to(filtered(files(), filters), COUNTED)
    return min(sum(n for code, n in overall.items() if code != Status.DRAFT), COUNTED + 1)


def joined(query: str, cursor: str) -> str:
    """A pager link's query: the filters', then the page's, as the template joined them."""
    return f"{query}&{cursor}" if query and cursor else query + cursor


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Like every staff page: a visitor is sent to log in, a signed-in non-member is told
    # the page does not exist.
    user = request.user
    assert isinstance(user, User)
    roles = set(staff_roles(user))
    platform = has_platform_role(user)
    if not roles and not platform:
        raise Http404
    # The programmes in scope and their counts per step, read once: every query below takes
    # their ids as a list.
    scope = scope_counts(programme_scope(user, FILE_ROLES))
    overall, per_programme = scope.overall, scope.per_programme

    def files() -> QuerySet[Application]:
        # Built only when read: the kept figures and an unfiltered count need no query of it.
        return Application.objects.filter(programme_id__in=scope.programme_ids).exclude(
            status=Status.DRAFT
        )

    filters = read_filters(request.GET)
    page = list_page(scope.programme_ids, filters, request.GET)
    # Waiting times against each campaign's target (the rulebook's `step_target_days`).
    campaigns = home_campaigns(user, platform, scope)
    targets = campaigns.targets
    now = timezone.now()
    waiting = waiting_rows(user, roles, scope.programme_ids, platform)
    figures = home_figures(user, files, targets, now)
    # The files whose payments this user handles link to their finance page too.
    finance_programmes = (
        set(allowed_programme_ids(user, [Role.FINANCE_OFFICER]).values_list("pk", flat=True))
        if platform or Role.FINANCE_OFFICER in roles
        else set()
    )
    finance = platform or Role.FINANCE_OFFICER in roles
    links = Shown(
        emails_admin=platform
        or (Role.INSTITUTION_ADMIN in roles and editable_institutions(user).exists()),
        webhooks_admin=platform or Role.INSTITUTION_ADMIN in roles,
        importer=platform or bool(roles & {Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN}),
        finance=finance,
        platform=platform,
    )
    to_confirm = campaigns.to_confirm
    # What the template shows or not (the kept page's key), and the values it writes.
    shown = {
        "roles": bool(roles),
        "to_confirm": bool(to_confirm),
        "waiting": bool(waiting),
        "lateness": bool(figures.lateness),
        "per_programme": bool(per_programme),
        "rows": bool(page.rows),
        "is_first": page.is_first,
        "is_last": page.is_last,
    }
    values = {
        "roles_html": roles_html(Role(role).label for role in roles),
        # The values to confirm come from the parsed rules (catalog/parsed.py), not the JSON.
        "to_confirm_html": to_confirm_html(to_confirm) if to_confirm else "",
        "links_html": links_html(links, figures.unread),
        "waiting_html": waiting_rows_html(waiting, targets, now),
        "lateness_html": lateness_html(figures.lateness),
        "counts_head": counts_head(overall),
        "counts_html": counts_html(
            (p.name, [p.by_status.get(code, 0) for code in overall], p.total) for p in per_programme
        ),
        "search": filters.search,
        "status_options": status_options_html(filters.status),
        "programme_options": options_html(
            ((p.pk, p.name) for p in per_programme), filters.programme
        ),
        "waiting_days": "" if filters.waiting_days is None else filters.waiting_days,
        "query": filters.query,
        "listed": listed_html(listed_count(files, filters, overall), COUNTED),
        "rows_html": rows_html(page.rows, finance_programmes),
        "first_query": joined(filters.query, page.first_query),
        "previous_query": joined(filters.query, page.previous_query),
        "next_query": joined(filters.query, page.next_query),
        "last_query": joined(filters.query, page.last_query),
    }
    return render_kept(request, "office/home.html", shown, values)
