"""The public catalogue and programme pages, read from each programme's current rulebook.

A programme is shown with the rules of its institution's campaign open now, else its latest
campaign (a page stays readable between two intakes). Everything comes from that rulebook:
the platform holds no school's wording or figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from admissions.catalog.confirmations import indicative_tuition
from admissions.catalog.models import Campaign, Institution, Programme
from admissions.rulebooks import PRESETS_DIR
from admissions.rules import fees
from admissions.rules.checklist import WHY
from admissions.rules.money import format_eur, to_cents
from admissions.rules.routes import describe_requirements
from admissions.rules.schema import DocumentRequirement, Rulebook, Site, Text
from admissions.rules.vocabulary import FeeDue, RouteKind, Track

# The school's forms to fill in (`form_file`), one folder per institution.
FORMS_DIR = PRESETS_DIR / "forms"


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _text(value: Text | None) -> str:
    return value.get(_language()) if value is not None else ""


def _eur(amount: Decimal) -> str:
    return format_eur(to_cents(amount), _language())


def form_link(institution_slug: str, requirement: DocumentRequirement) -> str:
    """Where the candidate downloads the school's form for a piece ("" when there is none)."""
    if requirement.form_url:
        return requirement.form_url
    if requirement.form_file:
        return reverse("portal:programme_form", args=[institution_slug, requirement.code])
    return ""


def current_campaigns(now: dt.datetime | None = None) -> dict[int, Campaign]:
    """Each institution's campaign open now, else its latest one, by institution id."""
    moment = now or timezone.now()
    chosen: dict[int, Campaign] = {}
    for campaign in Campaign.objects.select_related("institution").order_by("-opens_on", "-pk"):
        held = chosen.get(campaign.institution_id)
        if held is None or (campaign.is_open(moment) and not held.is_open(moment)):
            chosen[campaign.institution_id] = campaign
    return chosen


# The catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    programme: Programme
    campaign: Campaign
    name: str
    description: str
    site: str
    tracks: tuple[Track, ...]
    languages: tuple[str, ...]
    open: bool

    @property
    def url(self) -> str:
        return reverse(
            "portal:programme", args=[self.programme.institution.slug, self.programme.slug]
        )


@dataclass(frozen=True)
class Filters:
    school: str = ""
    site: str = ""
    track: str = ""
    language: str = ""

    def keep(self, card: Card) -> bool:
        return (
            (not self.school or card.programme.institution.slug == self.school)
            and (not self.site or card.programme.site.slug == self.site)
            and (not self.track or self.track in card.tracks)
            and (not self.language or self.language in card.languages)
        )


@dataclass
class Catalogue:
    cards: list[Card]
    shown: list[Card]
    schools: list[tuple[str, str]] = field(default_factory=list)
    sites: list[tuple[str, str]] = field(default_factory=list)


def catalogue(filters: Filters, now: dt.datetime | None = None) -> Catalogue:
    moment = now or timezone.now()
    campaigns = current_campaigns(moment)
    cards = []
    programmes = (
        Programme.objects.filter(is_active=True, institution_id__in=list(campaigns))
        .select_related("institution", "site")
        .order_by("institution__name", "name_fr")
    )
    for programme in programmes:
        campaign = campaigns[programme.institution_id]
        try:
            rule = campaign.rules.programme(programme.slug)
        except KeyError:
            continue
        cards.append(
            Card(
                programme=programme,
                campaign=campaign,
                name=_text(rule.name),
                description=_text(rule.description),
                site=programme.site.name,
                tracks=tuple(rule.tracks),
                languages=tuple(rule.teaching_languages),
                open=campaign.is_open(moment),
            )
        )
    schools = sorted({(c.programme.institution.slug, c.programme.institution.name) for c in cards})
    sites = sorted({(c.programme.site.slug, c.site) for c in cards}, key=lambda s: s[1])
    return Catalogue(
        cards=cards, shown=[c for c in cards if filters.keep(c)], schools=schools, sites=sites
    )


# One programme's page ------------------------------------------------------------------


@dataclass(frozen=True)
class RouteLine:
    label: str
    requires: str
    derogatory: bool
    vapp: bool
    in_progress_allowed: bool


@dataclass(frozen=True)
class DocumentLine:
    label: str
    help: str
    when: str  # why it is asked, for pieces asked of some candidates only
    formats: tuple[str, ...]
    max_size_mb: Decimal
    optional: bool
    typed: bool
    by_school: bool
    due: FeeDue
    form_link: str
    form_external: bool


@dataclass(frozen=True)
class ModeLine:
    label: str
    tracks: tuple[Track, ...]
    tuition: str  # the whole programme's tuition under this mode
    funder: str  # who pays it instead of the candidate, "" for the candidate
    conditions: str
    request_by: dt.date | None  # ask for the funding before this day
    france_travail: bool


@dataclass
class ProgrammePage:
    programme: Programme
    campaign: Campaign
    rules: Rulebook
    name: str
    description: str
    site: Site
    open: bool
    starts_on: dt.date | None
    teaching_languages: tuple[str, ...]
    tracks: tuple[Track, ...]
    routes: list[RouteLine]
    diploma_must_be_obtained: bool
    documents: list[DocumentLine]
    modes: list[ModeLine]
    application_fee: str
    deposit: str
    cvec: str
    indicative: bool
    international_deadline: dt.date | None


def _routes(rules: Rulebook, slug: str) -> list[RouteLine]:
    language = _language()
    return [
        RouteLine(
            label=route.label.get(language),
            requires=describe_requirements(route, mention_progress=True).get(language),
            derogatory=route.kind == RouteKind.DEROGATORY,
            vapp=route.implies.vapp_file,
            in_progress_allowed=route.requires.in_progress_allowed,
        )
        for route in rules.routes_for(slug)
    ]


def _documents(rules: Rulebook, institution_slug: str) -> list[DocumentLine]:
    return [
        DocumentLine(
            label=_text(requirement.label),
            help=_text(requirement.help),
            when=_text(WHY.get(requirement.condition)),
            formats=tuple(str(f) for f in requirement.formats),
            max_size_mb=requirement.max_size_mb,
            optional=requirement.optional,
            typed=requirement.typed,
            by_school=requirement.provided_by != "candidate",
            due=requirement.due,
            form_link=form_link(institution_slug, requirement),
            form_external=bool(requirement.form_url),
        )
        for requirement in rules.documents.requirements
    ]


def _modes(rules: Rulebook, slug: str, tracks: tuple[Track, ...]) -> list[ModeLine]:
    lines = []
    for mode in rules.financing_modes:
        open_to = tuple(t for t in tracks if not mode.tracks or t in mode.tracks)
        if not open_to:
            continue
        lines.append(
            ModeLine(
                label=_text(mode.label),
                tracks=open_to,
                tuition=format_eur(
                    fees.tuition_cents(rules, programme=slug, financing_mode=mode.code),
                    _language(),
                ),
                funder=_text(mode.funder),
                conditions=_text(mode.conditions),
                request_by=fees.request_by(rules, programme=slug, financing_mode=mode.code),
                france_travail=mode.requires_france_travail,
            )
        )
    return lines


def programme_page(
    institution: Institution, programme: Programme, now: dt.datetime | None = None
) -> ProgrammePage | None:
    moment = now or timezone.now()
    campaign = current_campaigns(moment).get(institution.pk)
    if campaign is None:
        return None
    rules = campaign.rules
    try:
        rule = rules.programme(programme.slug)
        site = rules.site(rule.site)
    except KeyError:
        return None
    routes = _routes(rules, programme.slug)
    deposit = rules.fees.deposit
    cvec = rules.fees.cvec
    international = rules.campaign.international_deadline
    return ProgrammePage(
        programme=programme,
        campaign=campaign,
        rules=rules,
        name=_text(rule.name),
        description=_text(rule.description),
        site=site,
        open=campaign.is_open(moment),
        starts_on=rule.starts_on,
        teaching_languages=tuple(rule.teaching_languages),
        tracks=tuple(rule.tracks),
        routes=routes,
        diploma_must_be_obtained=bool(routes) and not any(r.in_progress_allowed for r in routes),
        documents=_documents(rules, institution.slug),
        modes=_modes(rules, programme.slug, tuple(rule.tracks)),
        application_fee=_eur(rules.fees.application.amount),
        deposit=_eur(deposit.amount) if deposit else "",
        cvec=_eur(cvec.amount) if cvec else "",
        indicative=indicative_tuition(campaign, programme.slug),
        international_deadline=international.date if international else None,
    )
