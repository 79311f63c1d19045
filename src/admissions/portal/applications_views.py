"""The candidate's application pages: choose, write, check, submit, withdraw, follow.

Views parse input, find the candidate's own file (404 for anyone else's) and call the
services; every refusal comes back as a message on the page, never as a server error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions.applications import choices, queries
from admissions.applications.eligibility import explanation_for
from admissions.applications.lifecycle import EDITABLE_BY_CANDIDATE, WITHDRAWABLE, Status
from admissions.applications.models import Application
from admissions.applications.texts import asked_texts
from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.core import csrf_tokens
from admissions.core.errors import DomainError, NotAllowed
from admissions.payments import ledger
from admissions.people.models import User
from admissions.people.permissions import can_act_on_programme
from admissions.portal import autosave, file_links, status_cache, status_rider
from admissions.portal.forms_applications import ChoicesForm, DraftForm, FeePaidForm, WithdrawForm
from admissions.portal.forms_confirmation import DeclineForm
from admissions.rules.deadlines import PARIS
from admissions.workflow import (
    checks,
    confirmation,
    declared_transfers,
    drafts,
    fees,
    international,
    submission,
)
from admissions.workflow.catalogue import extensions_of
from admissions.workflow.status import StatusSummary, status_summary
from admissions.workflow.status_version import status_version

STATUS_TEMPLATE = "portal/applications/status.html"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def fix_url(problem: checks.Problem, application: Application) -> str:
    """Where the candidate fixes a problem of the pre-submission check ("" for nowhere)."""
    reference = application.reference
    if problem.fix == checks.Fix.PROFILE:
        return reverse("portal:profile_residence" if problem.field else "portal:profile")
    if problem.fix == checks.Fix.DOCUMENTS:
        anchor = f"#doc-{problem.item}" if problem.item else ""
        return reverse("documents:list", args=[reference]) + anchor
    if problem.fix == checks.Fix.FEE:
        return reverse("payments:overview", args=[reference])
    if problem.fix == checks.Fix.TEXTS:
        return reverse("portal:application", args=[reference]) + f"#id_{problem.field}"
    return ""


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = queries.my_applications(_user(request))
    return render(request, "portal/applications/list.html", {"applications": list(applications)})


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    """Every programme open to applications now, each with the candidate's file if any."""
    now = timezone.now()
    mine = {(a.campaign_id, a.programme_id): a for a in queries.my_applications(_user(request))}
    offers = []
    for campaign in choices.open_campaigns(now):
        programmes = [
            (
                programme,
                choices.tracks_of(campaign, programme),
                mine.get((campaign.pk, programme.pk)),
            )
            for programme in choices.programmes_of(campaign)
        ]
        if programmes:
            offers.append((campaign, programmes))
    extensions = extensions_of(campaign.pk for campaign, _programmes in offers)
    shown = [(c, programmes, extensions.get(c.pk, [])) for c, programmes in offers]
    return render(request, "portal/applications/new.html", {"offers": shown})


@login_required
@require_http_methods(["GET", "POST"])
def application_start(request: HttpRequest, campaign_id: int, programme_id: int) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.select_related("institution").defer(*without_rulebooks("", "institution")),
        pk=campaign_id,
    )
    programme = get_object_or_404(
        Programme, pk=programme_id, institution_id=campaign.institution_id
    )
    user = _user(request)
    existing = queries.my_applications(user).filter(campaign=campaign, programme=programme).first()
    if existing is not None and request.method == "GET":
        messages.info(request, _("You already have an application to this programme."))
        return redirect("portal:application", reference=existing.reference)
    form = ChoicesForm(request.POST or None, campaign=campaign, programme=programme)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            application = drafts.create_application(
                candidate=user,
                campaign=campaign,
                programme=programme,
                track=form.cleaned_data["track"],
                financing_mode=form.cleaned_data["financing_mode"],
            )
        except DomainError as error:  # a duplicate or a campaign closed meanwhile
            form.add_error(None, error.message)
            status = error.http_status
        else:
            messages.success(
                request,
                _("Your application %(ref)s is created. You can now complete it.")
                % {"ref": application.reference},
            )
            return redirect("portal:application", reference=application.reference)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "portal/applications/start.html",
        {
            "form": form,
            "campaign": campaign,
            "programme": programme,
            "existing": existing,
            "closed": not campaign.is_open(),
            "obtained_only": _diploma_must_be_obtained(campaign, programme),
            "funding_conditions": [
                (
                    mode.label.get(get_language() or "fr"),
                    mode.conditions.get(get_language() or "fr"),
                )
                for mode in campaign.rules.financing_modes
                if mode.conditions is not None
            ],
        },
        status=status,
    )


def _diploma_must_be_obtained(campaign: Campaign, programme: Programme) -> bool:
    """No entry route of the programme counts a diploma still in progress (IMT-BS)."""
    routes = campaign.rules.routes_for(programme.slug)
    return bool(routes) and not any(route.requires.in_progress_allowed for route in routes)


def _fee_context(application: Application, summary: StatusSummary | None = None) -> dict[str, Any]:
    rules = application.rules
    status, line = ledger.fee_status_and_line(application.pk)
    # The status page's summary holds the declaration already.
    declaration = (
        summary.declaration
        if summary is not None
        else declared_transfers.declaration(application, fee=status)
    )
    return {
        "fee_status": status,
        "fee_cents": drafts.application_fee_cents(application.campaign),
        "fee_methods": [str(m) for m in rules.fees.application.methods],
        "fee_reference": line.creditor_reference,
        "declaration": declaration,
        "declarable": declaration is None
        and status == ledger.FeeStatus.DUE
        and application.status == Status.DRAFT
        and declared_transfers.allowed_days(application) is not None,
        "contact_email": rules.institution.contact_email,
    }


def _page_context(application: Application, form: DraftForm | None) -> dict[str, Any]:
    now = timezone.now()
    report = checks.run_checks(application, now=now)
    problems = [(problem, fix_url(problem, application)) for problem in report.problems]
    try:
        mode = application.rules.financing_mode(application.financing_mode)
        financing_label = mode.label.get(get_language() or "fr")
    except KeyError:
        financing_label = application.financing_mode
    return {
        "application": application,
        "form": form,
        "financing_label": financing_label,
        "editable": Status(application.status) in EDITABLE_BY_CANDIDATE,
        "withdrawable": Status(application.status) in WITHDRAWABLE,
        "explanation": explanation_for(report.assessment),
        "checklist": [
            (line, file_links.document_url(application, line.code)) for line in report.checklist
        ],
        "simulator_url": file_links.simulator_url(
            application.programme_id,
            track=application.track,
            financing_mode=application.financing_mode,
        ),
        "report": report,
        "problems": problems,
        "texts": asked_texts(application.rules),
        "mistakes": application.rules.common_mistakes,
        **_fee_context(application),
    }


def _draft_form(application: Application, data: Any = None) -> DraftForm:
    return DraftForm(
        data,
        campaign=application.campaign,
        programme=application.programme,
        initial={
            "track": application.track,
            "financing_mode": application.financing_mode,
            "cover_letter": application.cover_letter,
            "professional_project": application.professional_project,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = queries.own_application(user, reference)
    editable = Status(application.status) in EDITABLE_BY_CANDIDATE
    if request.method == "GET":
        form = _draft_form(application) if editable else None
        return render(request, "portal/applications/detail.html", _page_context(application, form))
    form = _draft_form(application, request.POST)
    if autosave.wants_json(request):
        return autosave.answer(application, form, by=user)
    if not editable:
        messages.error(request, _("This application was submitted: it can no longer be changed."))
        context = _page_context(application, None)
        # Shown back so that nothing typed is lost, though it can no longer be saved.
        context["unsaved"] = [
            (form.fields[name].label, request.POST[name])
            for name in ("cover_letter", "professional_project")
            if name in form.fields
            and request.POST.get(name, "").strip()
            and request.POST[name] != getattr(application, name)
        ]
        return render(request, "portal/applications/detail.html", context, status=409)
    status = 200
    try:
        changed = drafts.update_draft(application, by=user, **form.valid_changes())
    except DomainError as error:
        messages.error(request, error.message)
        return render(
            request,
            "portal/applications/detail.html",
            _page_context(application, form),
            status=error.http_status,
        )
    if form.errors:
        status = 422
        if changed:
            messages.warning(request, _("What was correct is saved; correct the rest below."))
        return render(
            request,
            "portal/applications/detail.html",
            _page_context(application, form),
            status=status,
        )
    if request.POST.get("action") == "submit":
        try:
            submission.submit(application, by=user)
        except DomainError as error:
            messages.error(request, error.message)
            return render(
                request,
                "portal/applications/detail.html",
                _page_context(application, _draft_form(application)),
                status=error.http_status,
            )
        messages.success(
            request,
            _("Your application %(ref)s is submitted. It can no longer be changed.")
            % {"ref": application.reference},
        )
        return redirect("portal:application_status", reference=application.reference)
    messages.success(request, _("Your application is saved."))
    return redirect("portal:application", reference=application.reference)


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = queries.own_application(user, reference)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                drafts.withdraw(application, by=user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("Your application %(ref)s is withdrawn.") % {"ref": application.reference},
                )
                return redirect("portal:application_status", reference=application.reference)
        else:
            status = 422
    return render(
        request,
        "portal/applications/withdraw.html",
        {
            "application": application,
            "form": form,
            "withdrawable": Status(application.status) in WITHDRAWABLE,
        },
        status=status,
    )


@login_required
def application_status(request: HttpRequest, reference: str) -> HttpResponse:
    """Kept rendered per reader and version of the file (`status_cache`); rendered afresh
    when a message waits to be shown, for a draft, and in development."""
    user = _user(request)
    if settings.DEBUG or status_cache.has_messages(request):
        application = queries.own_application(user, reference)
        return render(request, STATUS_TEMPLATE, _status_context(application, timezone.now()))
    # Read with the session, in its statement, when it could be (`status_rider`).
    version = status_rider.version(request, user.pk, reference)
    if version is None:
        found = status_version(user.pk, reference)
        if found is None:
            raise Http404
        version, status = found
        if status == Status.DRAFT:
            application = queries.own_application(user, reference)
            return render(request, STATUS_TEMPLATE, _status_context(application, timezone.now()))
    key = status_cache.key(request, version, get_language() or settings.LANGUAGE_CODE)
    now = timezone.now()
    kept = status_cache.get(key, now)
    if kept is None:
        kept = keep_status_page(request, queries.own_application(user, reference), key, now)
    page, mark = kept
    # Bytes, as the answer's body is sent: the page is not decoded and encoded again.
    return HttpResponse(page.replace(mark, csrf_tokens.token(request).encode()))


def keep_status_page(
    request: HttpRequest, application: Application, key: str, now: dt.datetime
) -> tuple[bytes, bytes]:
    """Render the status page to be kept under `key`, keep it, and return it with its CSRF
    placeholder, both encoded: on a miss, and ahead of the candidate's first look
    (`status_ahead`)."""
    context = _status_context(application, now)
    mark = status_cache.placeholder()
    page: str = render_to_string(STATUS_TEMPLATE, {**context, "csrf_token": mark}, request)
    status_cache.put(key, page, mark, status_cache.valid_until(now, context))
    return page.encode(), mark.encode()


def _status_context(application: Application, now: dt.datetime) -> dict[str, Any]:
    summary = status_summary(application, now=now)
    late = summary.due_by is not None and summary.due_by <= now
    return {
        "application": application,
        "summary": summary,
        "next_link": file_links.next_action_link(application, summary.next_action, late=late),
        **_deadline_context(None if late else summary.due_by),
        "withdrawable": Status(application.status) in WITHDRAWABLE,
        # A draft's deadline may have been moved: the candidate sees when and why.
        "extensions": (
            extensions_of([application.campaign_id]).get(application.campaign_id, [])
            if application.status == Status.DRAFT
            else []
        ),
        **_fee_context(application, summary),
    }


@login_required
@require_POST
def application_declare_transfer(request: HttpRequest, reference: str) -> HttpResponse:
    """The candidate says the fee's transfer is made, and may then submit."""
    user = _user(request)
    application = queries.own_application(user, reference)
    try:
        declared_transfers.declare_transfer(application, by=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Your transfer is noted. You can submit your application now: it is studied "
                "once the transfer reaches the school."
            ),
        )
    return redirect(reverse("portal:application", args=[application.reference]) + "#check")


@login_required
@require_POST
def application_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    """The candidate confirms the offered place; a refusal is said on the status page."""
    user = _user(request)
    application = queries.own_application(user, reference)
    try:
        confirmation.confirm_place(application, by=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Your place is confirmed for application %(ref)s.") % {"ref": application.reference},
        )
    return redirect("portal:application_status", reference=application.reference)


@login_required
@require_http_methods(["GET", "POST"])
def application_decline(request: HttpRequest, reference: str) -> HttpResponse:
    """A page that asks the candidate to be sure before the place goes to someone else."""
    user = _user(request)
    application = queries.own_application(user, reference)
    form = DeclineForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                confirmation.decline_place(application, by=user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.http_status
            else:
                messages.success(
                    request,
                    _("You declined the place offered for application %(ref)s.")
                    % {"ref": application.reference},
                )
                return redirect("portal:application_status", reference=application.reference)
        else:
            status = 422
    return render(
        request,
        "portal/applications/decline.html",
        {
            "application": application,
            "form": form,
            "declinable": Status(application.status) in {*confirmation.ADMITTED, Status.WAITLISTED},
        },
        status=status,
    )


@login_required
@require_POST
def application_campus_france(request: HttpRequest, reference: str) -> HttpResponse:
    """The candidate records the number of their Études en France file."""
    user = _user(request)
    application = queries.own_application(user, reference)
    try:
        international.record_campus_france_number(
            application, by=user, number=request.POST.get("number", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your Études en France number is saved."))
    return redirect(reverse("portal:application_status", args=[application.reference]) + "#visa")


@login_required
@require_GET
def application_certificate(request: HttpRequest, reference: str) -> HttpResponse:
    """The admission certificate for the visa, in French or English (PDF)."""
    user = _user(request)
    application = queries.own_application(user, reference)
    language = "en" if request.GET.get("language") == "en" else "fr"
    try:
        pdf = international.admission_certificate(application, by=user, language=language)
    except DomainError as error:
        raise Http404 from error
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"admission-{application.reference}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _deadline_context(due_by: dt.datetime | None) -> dict[str, Any]:
    """A deadline at the end of a day reads "7 June at midnight", not "8 June 00:00"."""
    if due_by is None:
        return {"due_day": None, "due_at": None}
    local = timezone.localtime(due_by, PARIS)
    if local.time() == dt.time.min:
        return {"due_day": (local - dt.timedelta(days=1)).date(), "due_at": None}
    return {"due_day": None, "due_at": local}


@login_required
@require_POST
def application_mark_fee_paid(request: HttpRequest, reference: str) -> HttpResponse:
    """Staff record a fee paid outside the platform, until the payments pages take it over.

    Who may do it is decided by the service (staff assigned to the programme); staff of the
    programme without that role get a 403 and nothing is recorded. Anyone else, candidates
    included, gets the 404 of a file that does not exist, before the form is read.
    """
    application = get_object_or_404(Application, reference=reference)
    if not can_act_on_programme(_user(request), application.programme_id):
        raise Http404
    form = FeePaidForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(error) for error in form.errors.get("note", []))
        return HttpResponse(errors, status=422, content_type="text/plain; charset=utf-8")
    try:
        recorded = fees.mark_fee_paid(
            application, by=_user(request), note=form.cleaned_data["note"]
        )
    except NotAllowed as error:
        return HttpResponse(error.message, status=403, content_type="text/plain; charset=utf-8")
    if recorded:
        messages.success(request, _("The application fee is recorded as paid."))
    else:
        messages.info(request, _("The application fee was already settled."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:applications_application_change", args=[application.pk])
    return redirect(target)
