"""The queue: the staff's list of submitted files, filtered, sorted, paged by cursor;
bulk actions on the rows chosen, and the filtered list exported (CSV, XLSX).

Every file listed, exported or acted on is one of the reader's programmes: an id from
elsewhere, even forged, answers 404 and nothing is done.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from admissions.applications.choices import TRACK_LABELS
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.queue import (
    EXPORT_HEADER,
    ORDERS,
    PAGE_SIZES,
    csv_rows,
    filtered,
    read_filters,
)
from admissions.applications.staff_files import (
    XLSX,
    chosen_files,
    exported_files,
    scope_campaigns,
    scope_programmes,
    scoped_files,
    xlsx_chunks,
)
from admissions.applications.waiting import campaign_targets
from admissions.catalog.models import Campaign
from admissions.core.errors import DomainError
from admissions.core.keyset import count_up_to, keyset_page
from admissions.office.queue_rows import COLUMNS, options_html, rows_html
from admissions.people.models import User
from admissions.people.permissions import (
    has_platform_role,
    staff_roles,
)
from admissions.review.assignments import (
    ASSIGNERS,
    assign_reviewer,
    may_assign,
    possible_reviewers,
    reviewer_for,
)
from admissions.workflow import messages

# The page says how many files up to this many, then "more than": counting all is not free.
COUNTED = 1000


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    if not staff_roles(user) and not has_platform_role(user):
        raise Http404
    return user


def _choices(campaigns: list[Campaign], language: str) -> dict[str, list[tuple[str, str]]]:
    routes: dict[str, str] = {}
    financing: dict[str, str] = {}
    for campaign in campaigns:
        rules = campaign.rules
        for route in rules.entry_routes:
            routes.setdefault(route.code, route.label.get(language))
        for mode in rules.financing_modes:
            financing.setdefault(mode.code, mode.label.get(language))
    return {
        "routes": sorted(routes.items(), key=lambda pair: pair[1]),
        "financing": sorted(financing.items(), key=lambda pair: pair[1]),
    }


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    language = get_language() or "fr"
    filters = read_filters(request.GET)
    english = language.startswith("en")
    scope = scope_programmes(user)
    names = {pk: name_en if english else name_fr for pk, name_fr, name_en in scope}
    campaigns = scope_campaigns(user)
    targets = campaign_targets(campaigns)
    files = filtered(
        scoped_files(user, programme_ids=list(names)),
        filters,
        reader_id=user.pk,
        targets=targets,
    )
    order = filters.order
    page = keyset_page(
        files.values_list(*COLUMNS, named=True),
        field=order.field,
        size=filters.size,
        query=request.GET,
        descending=order.descending,
    )
    assigner = has_platform_role(user) or bool(
        set(staff_roles(user)) & {r.value for r in ASSIGNERS}
    )
    # The whole list is on this page: its rows are the count.
    count = len(page.rows) if page.is_first and page.is_last else count_up_to(files, COUNTED)
    reviewers = possible_reviewers(user) if assigner else []
    choices = _choices(campaigns, language)
    context = {
        "page": page,
        "rows": page.rows,
        "rows_html": rows_html(page.rows, names, targets, timezone.now()),
        "filters": filters,
        "status_options": options_html(
            [(s.value, s.label) for s in Status if s != Status.DRAFT], filters.status
        ),
        "programme_options": options_html(names.items(), filters.programme),
        "campaign_options": options_html([(c.pk, c.name) for c in campaigns], filters.campaign),
        "track_options": options_html(TRACK_LABELS.items(), filters.track),
        "order_options": options_html([(key, o.label) for key, o in ORDERS.items()], filters.sort),
        "size_options": options_html([(size, size) for size in PAGE_SIZES], filters.size),
        "route_options": options_html(choices["routes"], filters.route),
        "financing_options": options_html(choices["financing"], filters.financing),
        "count": count,
        "counted": COUNTED,
        "reviewer_options": options_html([(r.pk, r.display_name) for r in reviewers], None),
        "assigner": assigner,
    }
    return render(request, "office/queue.html", context)


def _selected(request: HttpRequest, user: User) -> list[Application]:
    """The files ticked, all of them the reader's; a single one that is not: 404."""
    ids = {int(v) for v in request.POST.getlist("file") if v.isdigit() and len(v) < 12}
    chosen = chosen_files(user, ids=ids)
    if chosen is None:
        raise Http404
    return chosen


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    filters = read_filters(request.POST)
    url = reverse("office:queue")
    return redirect(f"{url}?{filters.query}" if filters.query else url)


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign a reviewer to, or write to the candidates of, the files ticked.

    The first post shows what will be done and asks to confirm; the second does it.
    """
    user = _staff(request)
    chosen = _selected(request, user)
    action = request.POST.get("action", "")
    if not chosen:
        flash.error(request, _("Tick at least one file."))
        return _back_to_queue(request)
    reviewer: User | None = None
    body = request.POST.get("body", "").strip()
    if action == "assign":
        reviewer_id = request.POST.get("reviewer", "")
        reviewer = reviewer_for(user, int(reviewer_id)) if reviewer_id.isdigit() else None
        if reviewer is None:
            flash.error(request, _("Choose the reviewer from the list."))
            return _back_to_queue(request)
        if not may_assign(user, chosen):
            raise Http404
    elif action == "message":
        try:
            body = messages.checked_body(body, empty=_("Write the message first."))
        except DomainError as error:
            flash.error(request, str(error.message))
            return _back_to_queue(request)
    else:
        raise Http404
    if request.POST.get("confirmed") != "1":
        context = {
            "action": action,
            "chosen": chosen,
            "reviewer": reviewer,
            "body": body,
            "filters": read_filters(request.POST),
        }
        return render(request, "office/queue_confirm.html", context)
    if reviewer is not None:
        try:
            changed = assign_reviewer(chosen, reviewer=reviewer, by=user)
        except DomainError as error:
            flash.error(request, str(error.message))
            return _back_to_queue(request)
        flash.success(
            request,
            ngettext(
                "%(count)d file assigned to %(name)s.",
                "%(count)d files assigned to %(name)s.",
                len(chosen),
            )
            % {"count": len(chosen), "name": reviewer.display_name}
            + (
                " "
                + ngettext(
                    "%(count)d of them already was.",
                    "%(count)d of them already were.",
                    len(chosen) - len(changed),
                )
                % {"count": len(chosen) - len(changed)}
                if len(changed) < len(chosen)
                else ""
            ),
        )
        return _back_to_queue(request)
    try:
        outcome = messages.post_to_many(chosen, by=user, body=body)
    except DomainError as error:
        flash.error(request, str(error.message))
        return _back_to_queue(request)
    sent, refused = len(outcome.sent), outcome.refused
    flash.success(
        request,
        ngettext("%(count)d message sent.", "%(count)d messages sent.", sent) % {"count": sent},
    )
    if refused:
        flash.error(
            request,
            _("Not sent on: %(references)s.") % {"references": ", ".join(refused)},
        )
    return _back_to_queue(request)


def _exported(request: HttpRequest) -> QuerySet[Application]:
    return exported_files(_staff(request), request.GET)


@login_required
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed."""
    files = _exported(request)
    rows = csv_rows(files, [str(h) for h in EXPORT_HEADER])
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="files.csv"'
    return response


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as a workbook, streamed as it is written."""
    files = _exported(request)
    chunks = xlsx_chunks(files, [str(h) for h in EXPORT_HEADER])
    response = StreamingHttpResponse(chunks, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="files.xlsx"'
    return response
