"""The public eligibility self-check: no account, nothing stored, the rules' full answer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from admissions.applications.choices import open_campaigns
from admissions.applications.deadline import profile_of
from admissions.applications.eligibility import assess_facts, explanation_for, problem_text
from admissions.applications.self_check import facts_from_answers, initial_from_profile
from admissions.catalog.models import Programme
from admissions.people.models import User
from admissions.portal.forms_applications import SelfCheckForm
from admissions.rules.deadlines import paris_date
from admissions.rules.facts import FactsError


@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = paris_date(now)
    campaigns = open_campaigns(now)
    initial: dict[str, object] = {}
    user = request.user
    profile = profile_of(user) if isinstance(user, User) and user.is_authenticated else None
    if profile is not None:
        # What the candidate told in their profile need not be told again.
        initial.update(initial_from_profile(profile, today))
    if request.GET.get("offer"):
        initial["offer"] = request.GET["offer"]
    form = SelfCheckForm(request.POST or None, campaigns=campaigns, today=today, initial=initial)
    context: dict[str, object] = {
        "form": form,
        "has_offer": bool(campaigns),
        "prefilled": profile is not None and request.method == "GET",
    }
    status = 200
    if request.method == "POST":
        if form.is_valid():
            campaign, programme_id = form.chosen()
            programme = Programme.objects.get(pk=programme_id)
            context.update({"campaign": campaign, "programme": programme})
            try:
                facts = facts_from_answers(form.answers(), today)
            except FactsError as error:
                context["explanation"] = None
                context["problem"] = problem_text(error.code)
                status = 422
            else:
                assessment = assess_facts(
                    campaign.rules, programme.slug, form.cleaned_data["track"], facts, today
                )
                context["explanation"] = explanation_for(assessment)
        else:
            status = 422
    return render(request, "portal/self_check.html", context, status=status)
