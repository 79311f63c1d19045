"""/api/v1/catalogue: the public catalogue, as the programme pages show it.

Open to anyone, signed in or not. Each programme is described by the rules of its
institution's campaign open now, else its latest one (catalog/programmes.py, which the
pages read too); texts come in the reader's language, amounts as the page writes them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema

from admissions.api.schemas import ErrorOut
from admissions.catalog import programmes
from admissions.catalog.models import Campaign, Institution, Programme, without_rulebooks

router = Router(tags=["catalogue"], auth=None)
ERRORS = {404: ErrorOut, 422: ErrorOut}


class InstitutionOut(Schema):
    slug: str
    name: str
    short_name: str
    website: str
    contact_email: str


class CampaignOut(Schema):
    id: int
    slug: str
    name: str
    institution: str
    academic_year: str
    opens_on: dt.date
    closes_on: dt.date
    international_deadline: dt.date | None
    open: bool


class ProgrammeCardOut(Schema):
    institution: str
    slug: str
    name: str
    description: str
    site: str
    tracks: list[str]
    teaching_languages: list[str]
    campaign_id: int
    open: bool


class ProgrammeFilters(Schema):
    school: str = ""
    site: str = ""
    track: str = ""
    language: str = ""


class SiteOut(Schema):
    slug: str
    name: str
    address: str
    phone: str


class EntryRouteOut(Schema):
    label: str
    requires: str
    derogatory: bool
    vapp: bool
    in_progress_allowed: bool


class RequiredDocumentOut(Schema):
    label: str
    help: str
    when: str
    formats: list[str]
    max_size_mb: Decimal
    optional: bool
    typed: bool
    by_school: bool
    due: str
    form_link: str
    form_external: bool


class FinancingModeOut(Schema):
    label: str
    tracks: list[str]
    tuition: str
    funder: str
    conditions: str
    request_by: dt.date | None
    france_travail: bool


class ProgrammeOut(Schema):
    institution: str
    slug: str
    name: str
    description: str
    campaign: CampaignOut
    site: SiteOut
    open: bool
    starts_on: dt.date | None
    duration_months: int
    internship_months: int
    teaching_languages: list[str]
    tracks: list[str]
    routes: list[EntryRouteOut]
    diploma_must_be_obtained: bool
    documents: list[RequiredDocumentOut]
    financing_modes: list[FinancingModeOut]
    application_fee: str
    deposit: str
    cvec: str
    tuition_indicative: bool
    international_deadline: dt.date | None


def campaign_out(campaign: Campaign, institution_slug: str, now: dt.datetime) -> CampaignOut:
    return CampaignOut(
        id=campaign.pk,
        slug=campaign.slug,
        name=campaign.name,
        institution=institution_slug,
        academic_year=campaign.academic_year,
        opens_on=campaign.opens_on,
        closes_on=campaign.closes_on,
        international_deadline=campaign.international_deadline,
        open=campaign.is_open(now),
    )


@router.get("/institutions", response=list[InstitutionOut], summary="List the institutions")
def list_institutions(request: HttpRequest) -> list[InstitutionOut]:
    rows = Institution.objects.defer(*without_rulebooks("")).order_by("name")
    return [
        InstitutionOut(
            slug=i.slug,
            name=i.name,
            short_name=i.short_name,
            website=i.website,
            contact_email=i.contact_email,
        )
        for i in rows
    ]


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS}, summary="List the campaigns")
def list_campaigns(request: HttpRequest, institution: str = "") -> list[CampaignOut]:
    now = timezone.now()
    rows = (
        Campaign.objects.select_related("institution")
        .defer(*without_rulebooks("", "institution"))
        .order_by("institution__name", "-opens_on", "pk")
    )
    if institution:
        rows = rows.filter(institution__slug=institution)
    return [campaign_out(c, c.institution.slug, now) for c in rows]


@router.get(
    "/programmes",
    response={200: list[ProgrammeCardOut], **ERRORS},
    summary="The catalogue of programmes, filtered as on its page",
)
def list_programmes(
    request: HttpRequest, filters: Query[ProgrammeFilters]
) -> list[ProgrammeCardOut]:
    shown = programmes.catalogue(programmes.Filters(**filters.model_dump())).shown
    return [
        ProgrammeCardOut(
            institution=card.programme.institution.slug,
            slug=card.programme.slug,
            name=card.name,
            description=card.description,
            site=card.site,
            tracks=[str(t) for t in card.tracks],
            teaching_languages=list(card.languages),
            campaign_id=card.campaign.pk,
            open=card.open,
        )
        for card in shown
    ]


@router.get(
    "/programmes/{institution}/{programme}",
    response={200: ProgrammeOut, **ERRORS},
    summary="Everything the programme's page shows",
)
def read_programme(request: HttpRequest, institution: str, programme: str) -> ProgrammeOut:
    school = get_object_or_404(Institution.objects.defer(*without_rulebooks("")), slug=institution)
    found = get_object_or_404(
        Programme.objects.select_related("site"), institution=school, slug=programme, is_active=True
    )
    now = timezone.now()
    page = programmes.programme_page(school, found, now)
    if page is None:
        raise Http404
    return ProgrammeOut(
        institution=school.slug,
        slug=found.slug,
        name=page.name,
        description=page.description,
        campaign=campaign_out(page.campaign, school.slug, now),
        site=SiteOut(
            slug=page.site.slug,
            name=page.site.name,
            address=page.site.address,
            phone=page.site.phone,
        ),
        open=page.open,
        starts_on=page.starts_on,
        duration_months=found.duration_months,
        internship_months=found.internship_months,
        teaching_languages=list(page.teaching_languages),
        tracks=[str(t) for t in page.tracks],
        routes=[EntryRouteOut(**vars(route)) for route in page.routes],
        diploma_must_be_obtained=page.diploma_must_be_obtained,
        documents=[
            RequiredDocumentOut(
                **{**vars(line), "formats": list(line.formats), "due": str(line.due)}
            )
            for line in page.documents
        ],
        financing_modes=[
            FinancingModeOut(**{**vars(mode), "tracks": [str(t) for t in mode.tracks]})
            for mode in page.modes
        ],
        application_fee=page.application_fee,
        deposit=page.deposit,
        cvec=page.cvec,
        tuition_indicative=page.indicative,
        international_deadline=page.international_deadline,
    )
