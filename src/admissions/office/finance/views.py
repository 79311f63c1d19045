"""The finance officers' pages: reconcile, refunds, direct debits, balances, exports.

Every page is for finance staff only and shows the institutions and programmes they hold;
anything else is a 404, as for every staff page (nothing tells an outsider it exists).
Pages call the payment services and turn their refusals into messages in the reader's
language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from admissions.applications import choices
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Institution, without_rulebooks
from admissions.core.errors import DomainError, NotAllowed
from admissions.core.keyset import count_up_to, keyset_page
from admissions.office.finance import forms
from admissions.payments import access, balances, issues, ledger, sepa, services
from admissions.payments.exports import BalancesExport, LedgerExport
from admissions.payments.models import (
    BankStatement,
    DebitBatch,
    DebitItem,
    FinanceDocument,
    IssueStatus,
    LedgerEntry,
    Mandate,
    Method,
    PaymentIssue,
    RefundRequest,
    RefundStatus,
    SepaCreditor,
)
from admissions.payments.reconcile import import_statement
from admissions.people.models import User
from admissions.rules.deadlines import end_of_day, paris_date, start_of_day
from admissions.rules.money import to_cents
from admissions.rules.vocabulary import RefundEvent
from admissions.workflow import declared_transfers, refunds

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50
# A campaign's files are counted up to this many, then "more than" (no count of them all).
COUNTED = 1000


def finance_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.is_finance_staff(request.user):  # type: ignore[arg-type]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _issues(user: User) -> QuerySet[PaymentIssue]:
    return access.payment_issues(user)


def _refund_requests(user: User) -> QuerySet[RefundRequest]:
    return access.refund_requests(user)


def _file(request: HttpRequest, reference: str) -> Application:
    application = access.finance_file(_user(request), reference)
    if application is None:
        raise Http404
    return application


def _institution(request: HttpRequest, pk: int) -> Institution:
    return get_object_or_404(access.finance_institutions(_user(request)), pk=pk)


@finance_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "payments/finance/index.html",
        {
            "open_issues": _issues(user).filter(status=IssueStatus.OPEN).count(),
            "waiting_refunds": _refund_requests(user)
            .filter(status__in=[RefundStatus.REQUESTED, RefundStatus.APPROVED])
            .count(),
            "institutions": access.finance_institutions(user),
            # Transfers candidates said they made, still not found after the rulebook's days.
            "unmatched": declared_transfers.unmatched_declarations(
                access.finance_applications(user)
            ),
        },
    )


@finance_required
def issue_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    found = _issues(_user(request)).select_related(
        "application", "institution", "payment", "bank_entry"
    )
    if show != "all":
        found = found.filter(status=IssueStatus.OPEN)
    page = Paginator(found.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # One prefix per row keeps every field's id unique on the page.
    items = [
        (issue, forms.ResolveForm(statuses=issue.resolutions, prefix=f"i{issue.pk}"))
        for issue in page
    ]
    return render(
        request,
        "payments/finance/issues.html",
        {"page": page, "items": items, "show": show},
    )


@finance_required
@require_POST
def issue_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(_issues(_user(request)), pk=pk)
    form = forms.ResolveForm(request.POST, statuses=issue.resolutions, prefix=f"i{issue.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose how to close this issue."))
        return redirect("office:finance:issues")
    charge = None
    reference = form.cleaned_data["charge_reference"]
    if reference.strip():
        charge = access.charge_by_reference(_user(request), reference)
        if charge is None:
            messages.error(request, _("No charge of your programmes has this reference."))
            return redirect("office:finance:issues")
    try:
        issues.resolve_issue(
            issue,
            status=IssueStatus(form.cleaned_data["status"]),
            by=_user(request),
            note=form.cleaned_data["note"],
            charge=charge,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The issue is closed."))
    return redirect("office:finance:issues")


@finance_required
def statement_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    institutions = access.finance_institutions(user)
    form = forms.StatementForm(
        request.POST or None, request.FILES or None, institutions=institutions
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["statement"]
        try:
            record = import_statement(
                institution=form.cleaned_data["institution"],
                data=upload.read(),
                filename=upload.name or "",
                by=user,
            )
        except DomainError as error:
            form.add_error("statement", error.message)
        else:
            if record is None:
                messages.info(
                    request,
                    _("Every entry of this statement was already imported: nothing changed."),
                )
                return redirect("office:finance:statements")
            messages.success(request, _("The statement is imported."))
            return redirect("office:finance:statement", pk=record.pk)
    recent = BankStatement.objects.filter(institution__in=institutions).select_related(
        "institution", "imported_by"
    )[:PAGE_SIZE]
    return render(request, "payments/finance/statements.html", {"form": form, "statements": recent})


@finance_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        BankStatement.objects.filter(institution__in=access.finance_institutions(_user(request))),
        pk=pk,
    )
    entries = record.entries.select_related("payment__application").prefetch_related("issues")
    return render(
        request, "payments/finance/statement.html", {"statement": record, "entries": entries}
    )


@finance_required
def refund_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "waiting")
    now = timezone.now()
    found = _refund_requests(_user(request)).select_related(
        "application__candidate",
        "application__candidate__profile",
        "application__programme",
        "application__campaign",
        "requested_by__profile",
        "decided_by__profile",
    )
    if show != "all":
        found = found.filter(status__in=[RefundStatus.REQUESTED, RefundStatus.APPROVED])
    page = Paginator(found.order_by("-requested_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # One Campaign object per campaign, so that its rulebook is parsed once for the page.
    campaigns: dict[int, Campaign] = {}
    for item in page:
        application = item.application
        application.campaign = campaigns.setdefault(application.campaign_id, application.campaign)
    return render(
        request,
        "payments/finance/refunds.html",
        {
            "page": page,
            "show": show,
            "items": [
                (item, forms.DecisionForm(prefix=f"r{item.pk}"), refunds.due_of(item, now=now))
                for item in page
            ],
        },
    )


REFUND_ACTIONS = refunds.DECISIONS


@finance_required
@require_POST
def refund_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in REFUND_ACTIONS:
        raise Http404
    request_ = get_object_or_404(_refund_requests(_user(request)), pk=pk)
    form = forms.DecisionForm(request.POST, prefix=f"r{request_.pk}")
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    arguments: dict[str, Any] = {"by": _user(request), "note": note}
    if action == "record":
        arguments["method"] = Method(form.cleaned_data.get("method") or Method.BANK_TRANSFER)
    try:
        REFUND_ACTIONS[action](request_, **arguments)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The refund is updated."))
    return redirect("office:finance:refunds")


def _line_choices(application: Application) -> list[tuple[str, str]]:
    return [
        (line.key, f"{line.label} — {line.refundable / 100:.2f} EUR")
        for line in ledger.lines(application.pk)
        if line.refundable > 0
    ]


@finance_required
def file_detail(request: HttpRequest, reference: str) -> HttpResponse:
    application = _file(request, reference)
    return _render_file(
        request,
        application,
        refund_form=forms.RefundRequestForm(lines=_line_choices(application)),
        tuition_form=_tuition_form(application),
    )


def _tuition_form(application: Application) -> forms.TuitionForm:
    """Registered today, the programme starting when the rulebook says."""
    try:
        starts_on = application.rules.programme(application.programme.slug).starts_on
    except KeyError:
        starts_on = None
    return forms.TuitionForm(
        initial={"registered_on": paris_date(timezone.now()), "starts_on": starts_on}
    )


def _render_file(
    request: HttpRequest,
    application: Application,
    *,
    refund_form: forms.RefundRequestForm,
    tuition_form: forms.TuitionForm,
) -> HttpResponse:
    now = timezone.now()
    agreement = refunds.funding_agreement(application)
    requests = RefundRequest.objects.filter(application=application).select_related(
        "application__campaign", "application__programme"
    )
    language = get_language() or "fr"
    return render(
        request,
        "payments/finance/file.html",
        {
            "application": application,
            "track_label": choices.track_label(application.track),
            "financing_label": choices.financing_label(
                application.campaign, application.financing_mode, language
            ),
            "lines": ledger.lines(application.pk),
            "entries": LedgerEntry.objects.filter(application=application).select_related(
                "created_by"
            ),
            "documents": FinanceDocument.objects.filter(application=application),
            "mandates": Mandate.objects.filter(application=application).order_by("-created_at"),
            "debits": DebitItem.objects.filter(application=application).select_related("batch"),
            "refund_requests": [(item, refunds.due_of(item, now=now)) for item in requests],
            "agreement": agreement,
            "agreement_label": agreement.label(language) if agreement else "",
            "agreement_due": (
                refunds.refund_due(application, agreement.rule, waiting=False, now=now)
                if agreement
                else None
            ),
            "amounts_to_confirm": services.amounts_to_confirm(application),
            "refund_form": refund_form,
            "tuition_form": tuition_form,
        },
    )


@finance_required
@require_POST
def file_refund(request: HttpRequest, reference: str) -> HttpResponse:
    application = _file(request, reference)
    form = forms.RefundRequestForm(request.POST, lines=_line_choices(application))
    if form.is_valid():
        kind, _sep, number = form.cleaned_data["line"].partition(":")
        amount: Decimal | None = form.cleaned_data["amount"]
        try:
            refunds.request_refund(
                application,
                charge_kind=kind,
                instalment=int(number) or None,
                event=RefundEvent(form.cleaned_data["event"]),
                visa_refusal_proven=form.cleaned_data["visa_refusal_proven"],
                by=_user(request),
                amount_cents=to_cents(amount) if amount else None,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The refund is asked for; a finance officer approves it."))
            return redirect("office:finance:file", reference=application.reference)
    return _render_file(
        request,
        application,
        refund_form=form,
        tuition_form=_tuition_form(application),
    )


@finance_required
@require_POST
def file_tuition(request: HttpRequest, reference: str) -> HttpResponse:
    application = _file(request, reference)
    form = forms.TuitionForm(request.POST)
    if form.is_valid():
        try:
            created = services.plan_tuition(
                application,
                by=_user(request),
                registered_on=form.cleaned_data["registered_on"],
                starts_on=form.cleaned_data["starts_on"],
            )
        except NotAllowed:
            raise Http404 from None
        if created:
            messages.success(request, _("The tuition instalments are charged."))
        else:
            messages.info(request, _("The tuition was already charged: nothing changed."))
        return redirect("office:finance:file", reference=application.reference)
    return _render_file(
        request,
        application,
        refund_form=forms.RefundRequestForm(lines=_line_choices(application)),
        tuition_form=form,
    )


@finance_required
def sepa_index(request: HttpRequest) -> HttpResponse:
    institutions = list(access.finance_institutions(_user(request)))
    if len(institutions) == 1:
        return redirect("office:finance:sepa_institution", pk=institutions[0].pk)
    return render(request, "payments/finance/sepa_index.html", {"institutions": institutions})


@finance_required
def sepa_institution(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    creditor = SepaCreditor.objects.filter(institution=institution).first()
    today = paris_date(timezone.now())
    return render(
        request,
        "payments/finance/sepa.html",
        {
            "institution": institution,
            "creditor": creditor,
            "creditor_form": forms.CreditorForm(
                initial={"creditor_id": creditor.creditor_id if creditor else ""}
            ),
            "collections": sepa.upcoming_collections(institution, today=today),
            "collection_form": forms.CollectionForm(
                initial={"collection_date": today + dt.timedelta(days=2)}
            ),
            "batches": DebitBatch.objects.filter(institution=institution)[:PAGE_SIZE],
        },
    )


@finance_required
@require_POST
def sepa_creditor(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    form = forms.CreditorForm(request.POST)
    if form.is_valid():
        try:
            sepa.set_creditor_id(institution, form.cleaned_data["creditor_id"], by=_user(request))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The creditor identifier is saved."))
    else:
        messages.error(request, _("Give the SEPA creditor identifier."))
    return redirect("office:finance:sepa_institution", pk=institution.pk)


@finance_required
@require_POST
def sepa_export(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    form = forms.CollectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid collection date."))
        return redirect("office:finance:sepa_institution", pk=institution.pk)
    try:
        batch = sepa.export_batch(
            institution, form.cleaned_data["collection_date"], by=_user(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("office:finance:sepa_institution", pk=institution.pk)
    messages.success(request, _("The direct-debit file is ready: download it for your bank."))
    return redirect("office:finance:sepa_batch", pk=batch.pk)


def _batch(request: HttpRequest, pk: int) -> DebitBatch:
    return get_object_or_404(
        DebitBatch.objects.filter(institution__in=access.finance_institutions(_user(request))),
        pk=pk,
    )


@finance_required
def sepa_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return render(
        request,
        "payments/finance/sepa_batch.html",
        {
            "batch": batch,
            "items": [
                (item, forms.RejectDebitForm(prefix=f"d{item.pk}"))
                for item in batch.items.select_related("application", "mandate")
            ],
        },
    )


@finance_required
def sepa_batch_file(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    response = HttpResponse(batch.document.encode("utf-8"), content_type="application/xml")
    filename = f"pain008-{batch.collection_date.isoformat()}-{batch.message_id}.xml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@finance_required
@require_POST
def sepa_reject(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(access.debit_items(_user(request)), pk=pk)
    form = forms.RejectDebitForm(request.POST, prefix=f"d{item.pk}")
    if not form.is_valid():
        messages.error(request, _("Give the bank's reason for the rejection."))
    else:
        try:
            sepa.reject_debit(item, reason=form.cleaned_data["reason"], by=_user(request))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The rejected debit is recorded; the instalment is owed again.")
            )
    return redirect("office:finance:sepa_batch", pk=item.batch_id)


def _entries(user: User) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        application__programme_id__in=access.finance_programme_ids(user)
    )


@finance_required
def balance_list(request: HttpRequest) -> HttpResponse:
    programmes = access.finance_programme_ids(_user(request))
    return render(
        request,
        "payments/finance/balances.html",
        {"campaigns": balances.by_campaign(programmes)},
    )


@finance_required
def balance_campaign(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = _user(request)
    visible = Campaign.objects.filter(
        Q(institution__in=access.finance_institutions(user))
        | Q(pk__in=access.finance_applications(user).values("campaign_id"))
    )
    campaign = get_object_or_404(
        visible.select_related("institution").defer(*without_rulebooks("", "institution")), pk=pk
    )
    files = balances.campaign_files(campaign, access.finance_programme_ids(user))
    owing = request.GET.get("owing") == "1"
    if owing:
        files = files.filter(outstanding__gt=0)
    if request.GET.get("format") in ("csv", "xlsx"):
        return _streamed(BalancesExport(files), request.GET["format"])
    page = keyset_page(
        files, field="application_id", size=PAGE_SIZE, query=request.GET, descending=False
    )
    return render(
        request,
        "payments/finance/balance_campaign.html",
        {
            "campaign": campaign,
            "page": page,
            "owing": owing,
            "filter_query": "owing=1" if owing else "",
            "count": count_up_to(files, COUNTED),
            "counted": COUNTED,
        },
    )


def _streamed(exporter: BalancesExport, extension: str) -> HttpResponseBase:
    """The export sent as it is written: constant memory, whatever the number of files."""
    filename = exporter.filename(extension)
    if extension == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            exporter.csv_lines(), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        exporter.xlsx_file(),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES["xlsx"],
    )


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(data: bytes, filename: str, extension: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@finance_required
def export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    campaigns = (
        Campaign.objects.filter(pk__in=access.finance_applications(user).values("campaign_id"))
        .select_related("institution")
        .defer(*without_rulebooks("", "institution"))
    )
    form = forms.ExportForm(request.GET or None, campaigns=campaigns)
    if form.is_bound and form.is_valid():
        entries = _entries(user)
        if form.cleaned_data["campaign"]:
            entries = entries.filter(application__campaign=form.cleaned_data["campaign"])
        if form.cleaned_data["start"]:
            entries = entries.filter(created_at__gte=start_of_day(form.cleaned_data["start"]))
        if form.cleaned_data["end"]:
            entries = entries.filter(created_at__lt=end_of_day(form.cleaned_data["end"]))
        exporter = LedgerExport(entries)
        extension = form.cleaned_data["format"]
        data = exporter.csv() if extension == "csv" else exporter.xlsx()
        return _download(data, exporter.filename(extension), extension)
    return render(request, "payments/finance/export.html", {"form": form})
