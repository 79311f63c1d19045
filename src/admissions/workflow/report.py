"""The report of a campaign for some of its programmes, read from the kept totals only.

The funnel, its breakdowns, the days spent per step and the waiting lists' moves come from
`applications.report_counts`'s rows, the fees from `payments.fee_totals`'s: a few hundred
rows per programme, whatever the number of files. No file is read here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from admissions.applications.choices import financing_label, track_label
from admissions.applications.funnel import STEPS, Span, Step, quantile
from admissions.applications.lifecycle import Status
from admissions.applications.models import FunnelCount, StepDuration, WaitlistMove
from admissions.catalog.models import Campaign, Programme
from admissions.payments.models import CHARGE_LABELS, EntryKind, FeeTotal
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids

# The steps a breakdown shows: drafts are not broken down (see applications/funnel.py).
BROKEN_DOWN = STEPS[1:]
DIMENSION_TITLES = {
    "route": gettext_lazy("Entry route"),
    "nationality": gettext_lazy("Nationality group"),
    "abroad": gettext_lazy("Living abroad"),
    "financing": gettext_lazy("Financing mode"),
    "track": gettext_lazy("Track"),
    "site": gettext_lazy("Site"),
}
_NATIONALITY = {"eu": gettext_lazy("EU"), "non_eu": gettext_lazy("Outside the EU")}
_YES_NO = {"yes": gettext_lazy("yes"), "no": gettext_lazy("no")}
# The moves off the waiting list, by the status they lead to.
LEAVING = {
    Status.ADMITTED: gettext_lazy("Offered a place"),
    Status.ADMITTED_CONDITIONALLY: gettext_lazy("Offered a place on condition"),
    Status.DECLINED: gettext_lazy("Declined"),
    Status.WITHDRAWN: gettext_lazy("Withdrew"),
}


@dataclass(frozen=True)
class StepRow:
    step: Step
    label: str
    files: int
    share: Decimal | None  # of the submitted files, in per cent


@dataclass(frozen=True)
class BreakdownRow:
    value: str
    label: str
    files: tuple[int, ...]  # per step of BROKEN_DOWN

    @property
    def cells(self) -> list[tuple[str, int]]:
        """Each step's label with its number (the label heads the cell on a narrow screen)."""
        return [(str(step.label), n) for step, n in zip(BROKEN_DOWN, self.files, strict=True)]


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    title: str
    rows: list[BreakdownRow]


@dataclass(frozen=True)
class DurationRow:
    step: Step
    label: str
    files: int
    median: Span | None
    p90: Span | None


@dataclass(frozen=True)
class WaitlistRow:
    label: str
    files: int


@dataclass(frozen=True)
class FeeRow:
    charge_kind: str
    label: str
    charged: int
    collected: int  # paid, less payments reversed and refunds
    refunded: int
    written_off: int

    @property
    def outstanding(self) -> int:
        """Still owed over the files, net: a file that paid too much offsets one that owes."""
        return self.charged - self.collected - self.written_off


@dataclass
class Report:
    campaign: Campaign
    programmes: list[Programme]
    funnel: list[StepRow] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    durations: list[DurationRow] = field(default_factory=list)
    waitlist: list[WaitlistRow] = field(default_factory=list)
    waiting_now: int = 0
    fees: list[FeeRow] = field(default_factory=list)

    @property
    def fee_total(self) -> FeeRow:
        return FeeRow(
            "",
            _("All charges"),
            sum(r.charged for r in self.fees),
            sum(r.collected for r in self.fees),
            sum(r.refunded for r in self.fees),
            sum(r.written_off for r in self.fees),
        )


def programmes_in_scope(user: User, institution_id: int | None = None) -> list[Programme]:
    """The programmes the reader holds any role on (of one institution if given), with their
    sites."""
    programmes = Programme.objects.filter(pk__in=allowed_programme_ids(user))
    if institution_id is not None:
        programmes = programmes.filter(institution_id=institution_id)
    return list(programmes.select_related("site").order_by("name_fr", "pk"))


@dataclass(frozen=True)
class Selection:
    campaign: Campaign
    chosen: list[Programme]
    in_scope: list[Programme]


def select(
    user: User, campaign_id: int, asked: Sequence[str], *, institution_id: int | None = None
) -> Selection | None:
    """The campaign and the programmes asked for (all those in scope when none is), or None
    when the campaign, or one programme asked for, is outside the reader's scope (or outside
    the institution `institution_id` when given). `in_scope` are those the reader could
    choose."""
    campaign = Campaign.objects.filter(pk=campaign_id).select_related("institution").first()
    if campaign is None:
        return None
    if institution_id is not None and campaign.institution_id != institution_id:
        return None
    in_scope = [p for p in programmes_in_scope(user) if p.institution_id == campaign.institution_id]
    if not in_scope:
        return None
    if not asked:
        return Selection(campaign, in_scope, in_scope)
    if not all(value.isdigit() and len(value) < 12 for value in asked):
        return None
    wanted = {int(value) for value in asked}
    chosen = [p for p in in_scope if p.pk in wanted]
    if len(chosen) != len(wanted):
        return None
    return Selection(campaign, chosen, in_scope)


def span_text(span: Span | None) -> str:
    if span is None:
        return "–"
    if span.high is None:
        return _("%(low)d days or more") % {"low": span.low}
    if span.exact:
        return ngettext("%(days)d day", "%(days)d days", span.low) % {"days": span.low}
    return _("%(low)d to %(high)d days") % {"low": span.low, "high": span.high}


def _label(campaign: Campaign, dimension: str, value: str, language: str) -> str:
    if not value:
        return _("Not known")
    if dimension == "route":
        for route in campaign.rules.entry_routes:
            if route.code == value:
                return route.label.get(language)
        return value
    if dimension == "financing":
        return financing_label(campaign, value, language)
    if dimension == "track":
        return track_label(value)
    if dimension == "nationality":
        return str(_NATIONALITY.get(value, value))
    if dimension == "abroad":
        return str(_YES_NO.get(value, value))
    return value


def build_report(campaign: Campaign, programmes: Sequence[Programme], language: str) -> Report:
    """The report of `campaign` over `programmes` (their sites read with them)."""
    ids = [p.pk for p in programmes]
    report = Report(campaign=campaign, programmes=list(programmes))
    reached: Counter[str] = Counter()
    by_value: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    by_site: dict[str, Counter[str]] = defaultdict(Counter)
    site_of = {p.pk: p.site.name for p in programmes}
    rows = FunnelCount.objects.filter(campaign=campaign, programme_id__in=ids).values_list(
        "programme_id", "step", "dimension", "value", "files"
    )
    for programme_id, step, dimension, value, files in rows:
        if not dimension:
            reached[step] += files
            by_site[site_of[programme_id]][step] += files
        else:
            by_value[dimension][value][step] += files
    submitted = reached[Step.SUBMITTED]
    report.funnel = [
        StepRow(
            step,
            str(step.label),
            reached[step],
            (Decimal(100 * reached[step]) / submitted).quantize(Decimal("0.1"))
            if submitted and step != Step.DRAFTS
            else None,
        )
        for step in STEPS
    ]
    for dimension, title in DIMENSION_TITLES.items():
        values = by_site if dimension == "site" else by_value.get(dimension, {})
        breakdown_rows = [
            BreakdownRow(
                value,
                value if dimension == "site" else _label(campaign, dimension, value, language),
                tuple(counts[step] for step in BROKEN_DOWN),
            )
            for value, counts in values.items()
            if any(counts[step] for step in BROKEN_DOWN)
        ]
        breakdown_rows.sort(key=lambda row: (-row.files[0], row.label))
        report.breakdowns.append(Breakdown(dimension, str(title), breakdown_rows))
    histograms: dict[str, Counter[int]] = defaultdict(Counter)
    for step, bucket, files in StepDuration.objects.filter(
        campaign=campaign, programme_id__in=ids
    ).values_list("step", "bucket", "files"):
        histograms[step][bucket] += files
    report.durations = [
        DurationRow(
            step,
            str(step.label),
            sum(histograms[step].values()),
            quantile(histograms[step], 0.5),
            quantile(histograms[step], 0.9),
        )
        for step in STEPS
        if sum(histograms[step].values())
    ]
    moves: Counter[tuple[str, str]] = Counter()
    for from_status, to_status, files in WaitlistMove.objects.filter(
        campaign=campaign, programme_id__in=ids
    ).values_list("from_status", "to_status", "files"):
        moves[(from_status, to_status)] += files
    joined = sum(n for (f, t), n in moves.items() if t == Status.WAITLISTED)
    left: Counter[str] = Counter()
    for (f, t), n in moves.items():
        if f == Status.WAITLISTED:
            left[t] += n
    report.waitlist = [WaitlistRow(_("Put on the waiting list"), joined)] + [
        WaitlistRow(str(label), left[status]) for status, label in LEAVING.items()
    ]
    others = sum(n for status, n in left.items() if status not in LEAVING)
    if others:
        report.waitlist.append(WaitlistRow(_("Other moves off the list"), others))
    report.waiting_now = joined - sum(left.values())
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    for charge_kind, kind, cents in FeeTotal.objects.filter(
        campaign=campaign, programme_id__in=ids
    ).values_list("charge_kind", "kind", "cents"):
        sums[charge_kind][kind] += cents
    report.fees = [
        FeeRow(
            charge_kind,
            str(CHARGE_LABELS.get(charge_kind, charge_kind)),
            s[EntryKind.CHARGE],
            s[EntryKind.PAYMENT] - s[EntryKind.REVERSAL] - s[EntryKind.REFUND],
            s[EntryKind.REFUND],
            s[EntryKind.WRITE_OFF],
        )
        for charge_kind, s in sorted(sums.items())
    ]
    return report


REPORT_HEADER = [
    gettext_lazy("Section"),
    gettext_lazy("Row"),
    gettext_lazy("Column"),
    gettext_lazy("Value"),
]


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def report_rows(report: Report) -> list[list[object]]:
    """The report as one value a line (section, row, column, value): amounts in euros."""
    rows: list[list[object]] = []
    funnel = _("Funnel")
    for reached in report.funnel:
        rows.append([funnel, reached.label, _("Files"), reached.files])
        if reached.share is not None:
            share = _("Share of the submitted files (%)")
            rows.append([funnel, reached.label, share, reached.share])
    for breakdown in report.breakdowns:
        for row in breakdown.rows:
            for step, files in zip(BROKEN_DOWN, row.files, strict=True):
                rows.append([breakdown.title, row.label, str(step.label), files])
    durations = _("Days spent in each step")
    for duration in report.durations:
        rows.append([durations, duration.label, _("Files"), duration.files])
        rows.append([durations, duration.label, _("Median"), span_text(duration.median)])
        rows.append([durations, duration.label, _("90th percentile"), span_text(duration.p90)])
    waitlist = _("Waiting list")
    for move in report.waitlist:
        rows.append([waitlist, move.label, _("Files"), move.files])
    rows.append([waitlist, _("Still waiting"), _("Files"), report.waiting_now])
    fees = _("Fees (EUR)")
    for fee in [*report.fees, report.fee_total]:
        rows.append([fees, fee.label, _("Charged"), _euros(fee.charged)])
        rows.append([fees, fee.label, _("Collected"), _euros(fee.collected)])
        rows.append([fees, fee.label, _("Refunded"), _euros(fee.refunded)])
        rows.append([fees, fee.label, _("Written off"), _euros(fee.written_off)])
        rows.append([fees, fee.label, _("Outstanding"), _euros(fee.outstanding)])
    return rows
