"""/api/v1/staff/reports: the report of a campaign, as its page shows it, in figures.

The page's scope and figures, from the same service (workflow.report): the campaigns of the
institutions where the caller holds a role and, of each, only the programmes they hold a role
on; a campaign or a programme outside that (or outside the institution a token is tied to)
answers 404. Every figure comes from the kept totals, never from a count of the files.
Amounts are in cents.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut
from admissions.applications.funnel import Span
from admissions.catalog.models import Programme
from admissions.people.permissions import has_platform_role, staff_roles
from admissions.workflow.report import BROKEN_DOWN, FeeRow, build_report, select, span_text

router = Router(tags=["reports"], auth=user_auth)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ReportQuery(Schema):
    programme: list[str] = Field(
        default=[], description="programme ids (repeat the parameter); none: all of mine"
    )


class ProgrammeRefOut(Schema):
    id: int
    name: str
    site: str


class StepOut(Schema):
    step: str
    label: str
    files: int
    share: Decimal | None = Field(description="of the submitted files, in per cent")


class BreakdownRowOut(Schema):
    value: str
    label: str
    files: dict[str, int] = Field(description="the files that reached each step")


class BreakdownOut(Schema):
    dimension: str
    title: str
    rows: list[BreakdownRowOut]


class SpanOut(Schema):
    low: int = Field(description="days")
    high: int | None = Field(description="days; none: this many or more")
    text: str


class DurationOut(Schema):
    step: str
    label: str
    files: int = Field(description="files that went on from this step")
    median: SpanOut | None
    p90: SpanOut | None


class WaitlistOut(Schema):
    label: str
    files: int


class FeeOut(Schema):
    charge_kind: str = Field(description="empty on the total of all charges")
    label: str
    charged_cents: int
    collected_cents: int = Field(description="paid, less payments reversed and refunds")
    refunded_cents: int
    written_off_cents: int
    outstanding_cents: int


class ReportOut(Schema):
    campaign_id: int
    campaign: str
    institution: str
    programmes: list[ProgrammeRefOut] = Field(description="the programmes reported on")
    choosable: list[ProgrammeRefOut] = Field(description="the programmes I may choose from")
    funnel: list[StepOut]
    breakdowns: list[BreakdownOut]
    durations: list[DurationOut]
    waitlist: list[WaitlistOut]
    waiting_now: int
    fees: list[FeeOut]
    fee_total: FeeOut


def _programme(programme: Programme) -> ProgrammeRefOut:
    return ProgrammeRefOut(id=programme.pk, name=programme.name, site=programme.site.name)


def _span(span: Span | None) -> SpanOut | None:
    if span is None:
        return None
    return SpanOut(low=span.low, high=span.high, text=span_text(span))


def _fee(row: FeeRow) -> FeeOut:
    return FeeOut(
        charge_kind=row.charge_kind,
        label=row.label,
        charged_cents=row.charged,
        collected_cents=row.collected,
        refunded_cents=row.refunded,
        written_off_cents=row.written_off,
        outstanding_cents=row.outstanding,
    )


@router.get(
    "/reports/{campaign_id}",
    response={200: ReportOut, **ERRORS},
    summary="The report of a campaign over my programmes (or those chosen)",
)
def read_report(request: HttpRequest, campaign_id: int, query: Query[ReportQuery]) -> ReportOut:
    user = caller(request)
    if not staff_roles(user) and not has_platform_role(user):
        raise Http404
    found = select(
        user,
        campaign_id,
        request.GET.getlist("programme"),
        institution_id=token_institution(request),
    )
    if found is None:
        raise Http404
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    report = build_report(found.campaign, found.chosen, language)

    return ReportOut(
        campaign_id=found.campaign.pk,
        campaign=found.campaign.name,
        institution=found.campaign.institution.name,
        programmes=[_programme(p) for p in found.chosen],
        choosable=[_programme(p) for p in found.in_scope],
        funnel=[
            StepOut(step=row.step.value, label=row.label, files=row.files, share=row.share)
            for row in report.funnel
        ],
        breakdowns=[
            BreakdownOut(
                dimension=breakdown.dimension,
                title=breakdown.title,
                rows=[
                    BreakdownRowOut(
                        value=row.value,
                        label=row.label,
                        files={
                            step.value: n for step, n in zip(BROKEN_DOWN, row.files, strict=True)
                        },
                    )
                    for row in breakdown.rows
                ],
            )
            for breakdown in report.breakdowns
        ],
        durations=[
            DurationOut(
                step=row.step.value,
                label=row.label,
                files=row.files,
                median=_span(row.median),
                p90=_span(row.p90),
            )
            for row in report.durations
        ],
        waitlist=[WaitlistOut(label=row.label, files=row.files) for row in report.waitlist],
        waiting_now=report.waiting_now,
        fees=[_fee(row) for row in report.fees],
        fee_total=_fee(report.fee_total),
    )
