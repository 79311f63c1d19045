"""The staff page that opens a file for a candidate from a ZIP received by email.

Only admissions officers and administrators of a programme see it (404 for anyone else), and
they choose among the programmes they hold that role on in the campaigns open today. The
archive goes through the same size limit as any import, put in place before the CSRF check
reads the body.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from admissions.applications.choices import TRACK_LABELS, open_campaigns, programmes_of
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import DomainError
from admissions.documents.access import DOCUMENT_OFFICERS
from admissions.documents.uploadlimit import (
    UNREADABLE_FORM,
    declared_too_large,
    import_max_bytes,
    limit_upload,
    parse_upload,
)
from admissions.office.documents_forms import NewFileForm
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids
from admissions.workflow.newfile import Candidate, create_file_from_zip

TEMPLATE = "documents/import_new.html"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _language(request: HttpRequest) -> str:
    return "en" if (getattr(request, "LANGUAGE_CODE", "fr") or "fr").startswith("en") else "fr"


def _offers(user: User) -> dict[str, tuple[Campaign, Programme]]:
    """The (campaign, programme) pairs open today on which `user` may open a file."""
    allowed = allowed_programme_ids(user, DOCUMENT_OFFICERS)
    return {
        f"{campaign.pk}-{programme.pk}": (campaign, programme)
        for campaign in open_campaigns()
        for programme in programmes_of(campaign).filter(pk__in=allowed).order_by("slug")
    }


def _form(
    request: HttpRequest, offers: dict[str, tuple[Campaign, Programme]], *args: Any
) -> NewFileForm:
    language = _language(request)
    modes: dict[str, str] = {}
    tracks: dict[str, str] = {}
    for campaign, programme in offers.values():
        for mode in campaign.rules.financing_modes:
            modes.setdefault(mode.code, mode.label.get(language))
        for track in campaign.rules.programme(programme.slug).tracks:
            tracks.setdefault(str(track), str(TRACK_LABELS.get(str(track), track)))
    return NewFileForm(
        *args,
        offers=[
            (key, f"{campaign} — {programme.name}") for key, (campaign, programme) in offers.items()
        ],
        tracks=list(tracks.items()),
        financing_modes=list(modes.items()),
        initial={"language": language},
    )


@csrf_exempt  # the check runs in `_create`, once the size limit is in place
@login_required
@require_http_methods(["GET", "POST"])
def new_file(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not allowed_programme_ids(user, DOCUMENT_OFFICERS).exists():
        raise Http404
    offers = _offers(user)
    campaigns = {campaign.pk: campaign for campaign, _programme in offers.values()}
    context: dict[str, Any] = {
        "max_bytes": import_max_bytes(),
        "has_offers": bool(offers),
        "campaigns": list(campaigns.values()),
    }
    if request.method == "POST":
        if declared_too_large(request, import_max_bytes()):
            context["too_large"] = True
            return _page(request, context, _form(request, offers), status=413)
        handler = limit_upload(request, import_max_bytes())
        if not parse_upload(request):
            messages.error(request, str(UNREADABLE_FORM))
            return _page(request, context, _form(request, offers), status=400)
        return _create(request, offers, handler, context)
    return _page(request, context, _form(request, offers))


@csrf_protect
def _create(
    request: HttpRequest,
    offers: dict[str, tuple[Campaign, Programme]],
    handler: Any,
    context: dict[str, Any],
) -> HttpResponse:
    request.FILES  # noqa: B018 - parse the body now, with the limit in place
    if handler.exceeded:
        context["too_large"] = True
        return _page(request, context, _form(request, offers), status=413)
    form = _form(request, offers, request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, context, form, status=400)
    data = form.cleaned_data
    campaign, programme = offers[data["offer"]]
    try:
        created = create_file_from_zip(
            by=_user(request),
            campaign=campaign,
            programme=programme,
            track=data["track"],
            financing_mode=data["financing_mode"],
            candidate=Candidate(
                email=data["email"],
                given_names=data["given_names"].strip(),
                family_name=data["family_name"].strip(),
                language=data["language"],
            ),
            archive=data["archive"].file,
        )
    except DomainError as error:
        details = error.details if isinstance(error.details, dict) else {}
        field = details.get("field")
        form.add_error(field if field in form.fields else None, str(error.message))
        return _page(request, context, form, status=400)
    if created.application is None:
        context["report"] = created.report
        return _page(request, context, form, status=422)
    application = created.application
    messages.success(
        request,
        _("Application %(ref)s was opened with %(count)s documents.")
        % {"ref": application.reference, "count": len(created.report.imported)},
    )
    return redirect(reverse("documents:list", args=[application.reference]))


def _page(
    request: HttpRequest, context: dict[str, Any], form: NewFileForm, status: int = 200
) -> HttpResponse:
    context["form"] = form
    return render(request, TEMPLATE, context, status=status)
