"""What a candidate may choose when applying: open campaigns, their programmes, tracks and
financing modes, all read from the rulebook frozen on the campaign."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.rules.schema import FinancingMode
from admissions.rules.vocabulary import Track


def open_campaigns(now: dt.datetime | None = None) -> list[Campaign]:
    moment = now or timezone.now()
    coarse = (
        Campaign.objects.open_at(moment)
        .select_related("institution")
        .defer(*without_rulebooks("", "institution"))
    )
    return [campaign for campaign in coarse if campaign.is_open(moment)]


def programmes_of(campaign: Campaign) -> QuerySet[Programme]:
    """The active programmes of the campaign's institution that its rulebook lists."""
    slugs = [programme.slug for programme in campaign.rules.programmes]
    return Programme.objects.filter(
        institution_id=campaign.institution_id, slug__in=slugs, is_active=True
    ).select_related("institution", "site")


def offers(campaign: Campaign, programme: Programme) -> bool:
    """Whether `programme` is one of `programmes_of(campaign)`, read from the rows at hand."""
    return (
        programme.is_active
        and programme.institution_id == campaign.institution_id
        and any(listed.slug == programme.slug for listed in campaign.rules.programmes)
    )


def tracks_of(campaign: Campaign, programme: Programme) -> list[Track]:
    try:
        return list(campaign.rules.programme(programme.slug).tracks)
    except KeyError:
        return []


def financing_modes_for(campaign: Campaign, track: Track | str | None) -> list[FinancingMode]:
    """The rulebook's financing modes open to `track` (all of them when no track is chosen)."""
    modes = campaign.rules.financing_modes
    if not track:
        return list(modes)
    return [mode for mode in modes if not mode.tracks or track in mode.tracks]


TRACK_LABELS: dict[str, Promise] = {
    Track.FULL_TIME: gettext_lazy("Full time with an internship"),
    Track.WORK_STUDY: gettext_lazy("Work-study (alternance)"),
}


def track_label(track: str) -> str:
    return str(TRACK_LABELS.get(track, track))


def financing_label(campaign: Campaign, code: str, language: str) -> str:
    """The rulebook's name of a financing mode; its code when the rulebook no longer has it."""
    try:
        return campaign.rules.financing_mode(code).label.get(language)
    except KeyError:
        return code
