"""What the public home page shows: the programmes candidates can apply to right now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import get_language

from admissions.catalog.models import Campaign, Institution, Programme, without_rulebooks
from admissions.rules.money import format_eur, to_cents
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import PaymentMethod, Track


@dataclass(frozen=True)
class ProgrammeOffer:
    programme: Programme
    description: str
    tracks: tuple[Track, ...]


@dataclass(frozen=True)
class CampaignOffer:
    institution: Institution
    campaign: Campaign
    description: str
    application_fee: str
    fee_methods: tuple[PaymentMethod, ...]
    typical_duration: str
    programmes: tuple[ProgrammeOffer, ...]


def open_offer(now: dt.datetime) -> list[CampaignOffer]:
    """Open campaigns with their institution's active programmes, in two queries.

    Descriptions and fees come from the rulebook each campaign froze when it was loaded.
    """
    language = get_language() or "fr"
    programmes = Programme.objects.filter(is_active=True).select_related("site")
    campaigns = (
        Campaign.objects.open_at(now)
        .select_related("institution")
        .defer(*without_rulebooks("", "institution"))
        .prefetch_related(Prefetch("institution__programmes", queryset=programmes))
        .order_by("institution__name", "closes_on", "pk")
    )
    offers = []
    for campaign in campaigns:
        if not campaign.is_open(now):
            continue
        rules = campaign.rules
        listed = tuple(
            ProgrammeOffer(
                programme=programme,
                description=_programme_description(rules, programme.slug, language),
                tracks=tuple(Track(track) for track in programme.tracks),
            )
            for programme in campaign.institution.programmes.all()
        )
        if not listed:
            continue
        fee = rules.fees.application
        offers.append(
            CampaignOffer(
                institution=campaign.institution,
                campaign=campaign,
                description=rules.institution.description.get(language),
                application_fee=format_eur(to_cents(fee.amount), language[:2]),
                fee_methods=tuple(fee.methods),
                typical_duration=(
                    rules.campaign.typical_duration.get(language)
                    if rules.campaign.typical_duration
                    else ""
                ),
                programmes=listed,
            )
        )
    return offers


def _programme_description(rules: Rulebook, slug: str, language: str) -> str:
    try:
        described = rules.programme(slug).description
    except KeyError:
        return ""
    return described.get(language) if described else ""
