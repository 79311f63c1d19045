"""The privacy notice, and the candidate's page of their personal data: download, erasure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions.catalog.models import Institution, without_rulebooks
from admissions.documents.serving import attachment
from admissions.people.models import User
from admissions.privacy.erasure import Outcome, plan, request_erasure
from admissions.privacy.export import export_file, export_filename
from admissions.rules.deadlines import paris_date

OUTCOME_KEY = "privacy_erasure_outcome"


class ErasureForm(forms.Form):
    understood = forms.BooleanField(
        label=_("I understand that my account will be closed and that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm that you want your data erased.")},
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice: per institution, its controller, periods and recipients."""
    language = (get_language() or "fr")[:2]
    institutions = Institution.objects.defer(*without_rulebooks("")).order_by("name")
    wanted = request.GET.get("institution", "")
    if wanted:
        institutions = institutions.filter(slug=wanted)
    sections = [
        {
            "institution": institution,
            "privacy": privacy,
            "recipients": privacy.recipients.get(language),
            "notice": privacy.notice.get(language) if privacy.notice else "",
        }
        for institution in institutions
        if (privacy := institution.rules.privacy) is not None
    ]
    return render(request, "portal/privacy/notice.html", {"sections": sections})


def _page(request: HttpRequest, form: ErasureForm, *, status: int = 200) -> HttpResponse:
    user = _user(request)
    decisions = plan(user, today=paris_date(timezone.now()))
    context: dict[str, Any] = {
        "form": form,
        "decisions": decisions,
        "staff_account": user.holds_staff_role or user.is_superuser,
    }
    return render(request, "portal/privacy/my_data.html", context, status=status)


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    return _page(request, ErasureForm())


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    response = FileResponse(
        export_file(user),
        as_attachment=True,
        filename=export_filename(user),
        content_type="application/zip",
    )
    return attachment(response)


@login_required
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ErasureForm(request.POST)
    if user.holds_staff_role or user.is_superuser:
        form.add_error(None, _("A staff account is closed by the institution's administrator."))
    if not form.is_valid():
        return _page(request, form, status=422)
    outcome = request_erasure(user)
    logout(request)
    request.session[OUTCOME_KEY] = outcome.as_json()
    return redirect("privacy:erased")


@require_http_methods(["GET"])
def erased(request: HttpRequest) -> HttpResponse:
    """What the request erased and what is kept until when, once signed out."""
    data = request.session.get(OUTCOME_KEY)
    if not isinstance(data, dict):
        return redirect("portal:home")
    return render(request, "portal/privacy/erased.html", {"outcome": Outcome.from_json(data)})
