"""The public programme pages: the catalogue with its filters, one page per programme, and
the forms a school provides to fill in."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from admissions.catalog import programmes
from admissions.catalog.models import Institution, Programme
from admissions.rules.vocabulary import Track
from admissions.workflow.catalogue import extensions_of

LANGUAGES = ("fr", "en")


def _choice(value: str, allowed: set[str]) -> str:
    return value if value in allowed else ""


@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    everything = programmes.catalogue(programmes.Filters(), now)
    filters = programmes.Filters(
        school=_choice(request.GET.get("school", ""), {slug for slug, _ in everything.schools}),
        site=_choice(request.GET.get("site", ""), {slug for slug, _ in everything.sites}),
        track=_choice(request.GET.get("track", ""), {str(t) for t in Track}),
        language=_choice(request.GET.get("language", ""), set(LANGUAGES)),
    )
    shown = [card for card in everything.cards if filters.keep(card)]
    return render(
        request,
        "portal/programmes/list.html",
        {
            "catalogue": everything,
            "shown": shown,
            "filters": filters,
            "tracks": list(Track),
            "languages": LANGUAGES,
            "filtered": filters != programmes.Filters(),
        },
    )


@require_GET
def programme_detail(request: HttpRequest, institution: str, programme: str) -> HttpResponse:
    school = get_object_or_404(Institution, slug=institution)
    found = get_object_or_404(
        Programme.objects.select_related("site", "institution"),
        institution=school,
        slug=programme,
        is_active=True,
    )
    page = programmes.programme_page(school, found)
    if page is None:
        raise Http404
    extensions = extensions_of([page.campaign.pk]).get(page.campaign.pk, [])
    return render(
        request, "portal/programmes/detail.html", {"page": page, "extensions": extensions}
    )


@require_GET
def programme_form(request: HttpRequest, institution: str, code: str) -> FileResponse:
    """A form the school provides as a PDF (`form_file`), to download and fill in."""
    school = get_object_or_404(Institution, slug=institution)
    requirement = next(
        (r for r in school.rules.documents.requirements if r.code == code and r.form_file), None
    )
    if requirement is None:
        raise Http404
    path = programmes.FORMS_DIR / school.slug / requirement.form_file
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=requirement.form_file,
        content_type="application/pdf",
    )
