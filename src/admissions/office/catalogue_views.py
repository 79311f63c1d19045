"""The catalogue's administration: an institution administrator changes a campaign's rules.

Every page answers 404 to anyone who does not administer the campaign's institution (a
platform administrator administers them all). An edit page shows which files a change
reaches before anything is saved; "Check the change" lists what it changes, "Save" records
it. A refused change keeps what was typed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from admissions.catalog.models import Campaign, CatalogChange, DeadlineExtension
from admissions.core.errors import ValidationFailed
from admissions.notify.context import current_language
from admissions.office.confirm_views import shown
from admissions.people.models import User
from admissions.rules.money import format_eur, to_cents
from admissions.rules.rulebook_toml import rulebook_toml
from admissions.rules.schema import Rulebook
from admissions.workflow.catalogue import STALE, administered, extend_deadline, impact_of
from admissions.workflow.catalogue_forms import ExtensionForm
from admissions.workflow.catalogue_sections import (
    administered_campaigns,
    check_section,
    save_section,
    section_form,
)

# The changes listed on a campaign's page and on the catalogue's home, newest first.
SHOWN_CHANGES = 50

KINDS = {
    "campaign_dates": gettext_lazy("Campaign dates"),
    "programme": gettext_lazy("Programme"),
    "fees": gettext_lazy("Fees"),
    "jury_session": gettext_lazy("Jury session"),
    "document": gettext_lazy("Document required"),
    "deadline_extended": gettext_lazy("Deadline extended"),
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = administered_campaigns(_user(request)).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


@login_required
@require_GET
def catalogue_home(request: HttpRequest) -> HttpResponse:
    institutions = list(administered(_user(request)).defer("rulebook"))
    if not institutions:
        raise Http404
    campaigns = (
        Campaign.objects.filter(institution__in=institutions)
        .defer("rulebook")
        .order_by("institution__name", "-opens_on", "-pk")
    )
    rows = [
        (institution, [c for c in campaigns if c.institution_id == institution.pk])
        for institution in institutions
    ]
    changes = CatalogChange.objects.filter(institution__in=institutions).select_related(
        "by__profile", "campaign", "institution"
    )[:SHOWN_CHANGES]
    return render(
        request,
        "office/catalogue/home.html",
        {"rows": rows, "changes": _changes(changes), "kinds": KINDS},
    )


def _changes(rows: Any) -> list[dict[str, Any]]:
    return [
        {
            "row": change,
            "kind": KINDS.get(change.kind, change.kind),
            "differences": [
                (item["path"], shown(item["old"]), shown(item["new"]))
                for item in change.details.get("differences", [])
            ],
        }
        for change in rows
    ]


@login_required
@require_GET
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    rules = campaign.rules
    changes = campaign.catalog_changes.select_related("by__profile")[:SHOWN_CHANGES]
    extensions = campaign.deadline_extensions.select_related("by__profile")
    active = set(
        campaign.institution.programmes.filter(is_active=True).values_list("slug", flat=True)
    )
    context = {
        "campaign": campaign,
        "rules": rules,
        "impact": impact_of(campaign),
        "changes": _changes(changes),
        "extensions": list(extensions),
        "programmes": [
            {
                "rule": programme,
                "site": rules.site(programme.site).name,
                "personal": _eur(rules.tuition_for(programme.slug).personal),
                "company": _eur(rules.tuition_for(programme.slug).company),
                "own_tuition": programme.tuition is not None,
                "listed": programme.slug in active,
            }
            for programme in rules.programmes
        ],
        "fees": _fees(rules),
    }
    return render(request, "office/catalogue/campaign.html", context)


def _eur(amount: Decimal) -> str:
    return format_eur(to_cents(amount), current_language())


def _fees(rules: Rulebook) -> list[tuple[str, str]]:
    fees = rules.fees
    rows = [(_("Application fee"), _eur(fees.application.amount))]
    if fees.deposit:
        rows.append((_("Deposit"), _eur(fees.deposit.amount)))
    if fees.tuition:
        rows.append((_("Default tuition, paid by the candidate"), _eur(fees.tuition.personal)))
        rows.append((_("Default tuition, paid by a company or funder"), _eur(fees.tuition.company)))
    if fees.cvec:
        rows.append((_("CVEC (student life contribution)"), _eur(fees.cvec.amount)))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, campaign_id: int, section: str, key: str = "") -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    try:
        spec, form = section_form(campaign, section, key, request.POST or None)
    except LookupError:
        raise Http404 from None
    based_on = request.POST.get("based_on") or campaign.rulebook_digest
    proposal = None
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                proposal = check_section(campaign, form)
            else:
                save_section(campaign, spec, form, by=_user(request), based_on=based_on)
                messages.success(request, _("The change is saved and recorded."))
                return redirect("office:catalogue_campaign", campaign.pk)
        except ValidationFailed as refused:
            form.add_error(None, refused.message)
            details = refused.details if isinstance(refused.details, dict) else {}
            problems = list(details.get("problems", []))
            if refused.code == STALE:
                based_on = campaign.rulebook_digest
    context = {
        "campaign": campaign,
        "section": section,
        "key": key,
        "title": spec.title,
        "form": form,
        "based_on": based_on,
        "impact": proposal.impact if proposal else impact_of(campaign),
        "proposal": proposal,
        "differences": (
            [(d.path, shown(d.old), shown(d.new)) for d in proposal.differences] if proposal else []
        ),
        "problems": problems,
    }
    return render(request, "office/catalogue/edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def extend(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    form = ExtensionForm(request.POST or None, rules=campaign.rules)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            extension = extend_deadline(
                campaign,
                which=values["which"],
                new_date=values["new_date"],
                reason=values["reason"],
                by=_user(request),
            )
        except ValidationFailed as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("The deadline is now %(day)s; the candidates concerned are told by email.")
                % {"day": formats.date_format(extension.new_date, "DATE_FORMAT")},
            )
            return redirect("office:catalogue_campaign", campaign.pk)
    context = {
        "campaign": campaign,
        "form": form,
        "impact": impact_of(campaign),
        "general": campaign.closes_on,
        "international": campaign.international_deadline,
        "which_labels": DeadlineExtension.Which,
    }
    return render(request, "office/catalogue/extend.html", context)


@login_required
@require_GET
def export(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    response = HttpResponse(
        rulebook_toml(campaign.rules), content_type="application/toml; charset=utf-8"
    )
    name = f"{campaign.institution.slug}-{campaign.slug}.toml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
