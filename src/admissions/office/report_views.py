"""Reports of each campaign over some of its programmes: the funnel, its breakdowns, the days
spent per step, the waiting lists and the fees, with their charts; and their exports.

A staff member sees the campaigns of the institutions where they hold a role, and of each
only the programmes they hold a role on: a campaign or programme outside that answers 404.
Every figure comes from the kept totals (`workflow.report`), never from a count of the files.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from admissions.applications.funnel import Step
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.queue import EXPORT_HEADER, csv_rows
from admissions.applications.staff_files import XLSX, xlsx_chunks, xlsx_file
from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.office import charts
from admissions.people.models import User
from admissions.people.permissions import has_platform_role, staff_roles
from admissions.rules.money import format_eur
from admissions.workflow.report import (
    BROKEN_DOWN,
    REPORT_HEADER,
    Report,
    build_report,
    programmes_in_scope,
    report_rows,
    select,
    span_text,
)


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    if not staff_roles(user) and not has_platform_role(user):
        raise Http404
    return user


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


@login_required
@require_GET
def reports_index(request: HttpRequest) -> HttpResponse:
    """Each campaign in scope, with its programmes to choose from."""
    user = _staff(request)
    programmes = programmes_in_scope(user)
    institutions = {p.institution_id for p in programmes}
    campaigns = list(
        Campaign.objects.filter(institution_id__in=institutions)
        .select_related("institution")
        .defer(*without_rulebooks("", "institution"))
        .order_by("-opens_on", "pk")
    )
    rows = [
        (campaign, [p for p in programmes if p.institution_id == campaign.institution_id])
        for campaign in campaigns
    ]
    return render(request, "office/reports_index.html", {"rows": rows})


def _selection(
    request: HttpRequest, campaign_id: int
) -> tuple[Campaign, list[Programme], list[Programme]]:
    """The campaign, the programmes chosen and those the reader could choose: a campaign or
    a programme outside the reader's scope answers 404."""
    found = select(_staff(request), campaign_id, request.GET.getlist("programme"))
    if found is None:
        raise Http404
    return found.campaign, found.chosen, found.in_scope


def _charts(report: Report, language: str) -> dict[str, object]:
    def money(cents: int) -> str:
        return format_eur(cents, language)

    funnel = charts.bar_chart(
        title=_("Funnel: files that reached each step"),
        description=", ".join(f"{row.label}: {row.files}" for row in report.funnel),
        rows=[charts.Row(row.label, (row.files,)) for row in report.funnel],
        series=[_("Files")],
    )
    breakdowns = []
    for breakdown in report.breakdowns:
        first, admitted = BROKEN_DOWN[0], BROKEN_DOWN.index(Step.ADMITTED)
        chart = charts.bar_chart(
            title=_("%(title)s: files submitted and admitted") % {"title": breakdown.title},
            description="; ".join(
                _("%(label)s: %(submitted)d submitted, %(admitted)d admitted")
                % {
                    "label": row.label,
                    "submitted": row.files[0],
                    "admitted": row.files[admitted],
                }
                for row in breakdown.rows
            )
            or _("No file yet."),
            rows=[
                charts.Row(row.label, (row.files[0], row.files[admitted])) for row in breakdown.rows
            ],
            series=[str(first.label), str(BROKEN_DOWN[admitted].label)],
        )
        breakdowns.append((breakdown, chart))
    durations = charts.bar_chart(
        title=_("Days spent in each step before the next"),
        description="; ".join(
            _("%(step)s: median %(median)s, 90th percentile %(p90)s")
            % {"step": row.label, "median": span_text(row.median), "p90": span_text(row.p90)}
            for row in report.durations
        )
        or _("No file went on from a step yet."),
        rows=[
            charts.Row(
                row.label,
                (
                    row.median.low if row.median else 0,
                    row.p90.low if row.p90 else 0,
                ),
                (span_text(row.median), span_text(row.p90)),
            )
            for row in report.durations
        ],
        series=[_("Median"), _("90th percentile")],
    )
    waitlist = charts.bar_chart(
        title=_("Moves of the waiting list"),
        description=", ".join(f"{row.label}: {row.files}" for row in report.waitlist),
        rows=[charts.Row(row.label, (row.files,)) for row in report.waitlist],
        series=[_("Files")],
    )
    total = report.fee_total
    fees = charts.bar_chart(
        title=_("Fees collected and outstanding"),
        description="; ".join(
            _("%(charge)s: %(collected)s collected, %(outstanding)s outstanding")
            % {
                "charge": row.label,
                "collected": money(row.collected),
                "outstanding": money(row.outstanding),
            }
            for row in [*report.fees, total]
        ),
        rows=[
            charts.Row(row.label, (row.collected, max(row.outstanding, 0)))
            for row in [*report.fees, total]
        ],
        series=[_("Collected"), _("Outstanding")],
        number=money,
    )
    return {
        "funnel_chart": funnel,
        "breakdowns": breakdowns,
        "durations_chart": durations,
        "waitlist_chart": waitlist,
        "fees_chart": fees,
    }


@login_required
@require_GET
def report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign, chosen, in_scope = _selection(request, campaign_id)
    language = _language()
    data = build_report(campaign, chosen, language)
    query = request.GET.urlencode()
    context = {
        "report": data,
        "campaign": campaign,
        "chosen": {p.pk for p in chosen},
        "in_scope": in_scope,
        "steps": [str(step.label) for step in BROKEN_DOWN],
        "durations": [(row, span_text(row.median), span_text(row.p90)) for row in data.durations],
        "fee_total": data.fee_total,
        "query": f"?{query}" if query else "",
        **_charts(data, language),
    }
    return render(request, "office/report.html", context)


EXPORTS = ("csv", "xlsx")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(rows: list[list[object]], header: list[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([str(value) for value in row])


@login_required
@require_GET
def report_export(request: HttpRequest, campaign_id: int, extension: str) -> HttpResponseBase:
    """The report's figures, one a line."""
    if extension not in EXPORTS:
        raise Http404
    campaign, chosen, _in_scope = _selection(request, campaign_id)
    rows = report_rows(build_report(campaign, chosen, _language()))
    header = [str(h) for h in REPORT_HEADER]
    name = f"report-{campaign.slug}.{extension}"
    if extension == "csv":
        response = StreamingHttpResponse(_csv(rows, header), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = xlsx_file(iter(rows), header)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX)


@login_required
@require_GET
def files_export(request: HttpRequest, campaign_id: int, extension: str) -> HttpResponseBase:
    """The submitted files behind the report, as the queue exports them: streamed as CSV or
    as a workbook, written row by row as sent (constant memory either way)."""
    if extension not in EXPORTS:
        raise Http404
    campaign, chosen, _in_scope = _selection(request, campaign_id)
    files = Application.objects.filter(
        campaign=campaign,
        programme_id__in=[p.pk for p in chosen],
        submitted_at__isnull=False,
    ).exclude(status=Status.DRAFT)
    header = [str(h) for h in EXPORT_HEADER]
    name = f"files-{campaign.slug}.{extension}"
    if extension == "csv":
        response = StreamingHttpResponse(
            csv_rows(files, header), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    response = StreamingHttpResponse(xlsx_chunks(files, header), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
