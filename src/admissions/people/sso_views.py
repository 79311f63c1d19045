"""The staff's way in through their institution: the list of institutions to choose from."""

from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from admissions.people.sso import social_apps


@login_not_required  # type: ignore[untyped-decorator]
def choose_institution(request: HttpRequest) -> HttpResponse:
    """One button per institution whose staff log in through their identity provider.

    Each button posts to allauth's log-in URL of that provider, which sends the browser to
    the institution's identity provider with a signed request.
    """
    institutions = [
        (app.name, reverse("saml_login", kwargs={"organization_slug": app.client_id}))
        for app in sorted(social_apps(), key=lambda app: app.name)
    ]
    next_url = request.GET.get("next", "")
    return render(
        request, "account/sso_choose.html", {"institutions": institutions, "next": next_url}
    )
