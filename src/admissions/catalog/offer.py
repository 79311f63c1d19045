"""The campaigns open around today and the programmes each offers, kept in the process.

The public eligibility check asks which campaign of an institution is open and whether it
offers a programme on every request; the answer changes only when the catalogue does. The
rows are read again after `KEPT_SECONDS`, on the next day in Paris, or at once when this
process saves or deletes an institution, a programme or a campaign (the receivers in
`catalog.apps`). Another process sees such a change within `KEPT_SECONDS`.

The rows handed out are shared by every request of the process: read them, never change them.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.rules import deadlines

KEPT_SECONDS = 5.0


@dataclass(frozen=True)
class Offer:
    day: dt.date
    read_at: float
    campaigns: tuple[Campaign, ...]  # open on `day`, by date only; `is_open` decides
    programmes: dict[int, frozenset[str]]  # slugs of the active programmes a campaign lists


_offer: Offer | None = None
_generation = 0
_lock = threading.Lock()


def forget(**_: object) -> None:
    """Read the catalogue again on the next request (a receiver of catalogue changes)."""
    global _offer, _generation
    with _lock:
        _offer = None
        _generation += 1


def _read(day: dt.date) -> Offer:
    campaigns = tuple(
        Campaign.objects.filter(opens_on__lte=day, closes_on__gte=day)
        .select_related("institution")
        .defer(*without_rulebooks("", "institution"))
    )
    active: dict[int, set[str]] = {}
    rows = Programme.objects.filter(
        institution_id__in={campaign.institution_id for campaign in campaigns}, is_active=True
    ).values_list("institution_id", "slug")
    for institution_id, slug in rows:
        active.setdefault(institution_id, set()).add(slug)
    programmes = {
        campaign.pk: frozenset(
            programme.slug
            for programme in campaign.rules.programmes
            if programme.slug in active.get(campaign.institution_id, set())
        )
        for campaign in campaigns
    }
    return Offer(day, time.monotonic(), campaigns, programmes)


def current_offer(now: dt.datetime) -> Offer:
    global _offer
    day = deadlines.paris_date(now)
    with _lock:
        offer, generation = _offer, _generation
    if offer is None or offer.day != day or time.monotonic() - offer.read_at > KEPT_SECONDS:
        offer = _read(day)
        with _lock:
            # A change seen while reading makes this read stale: the next request reads again.
            if generation == _generation:
                _offer = offer
    return offer


def open_campaigns(now: dt.datetime) -> list[Campaign]:
    """The campaigns open at `now`, as `applications.choices.open_campaigns` finds them."""
    return [campaign for campaign in current_offer(now).campaigns if campaign.is_open(now)]


def offers_programme(now: dt.datetime, campaign: Campaign, slug: str) -> bool:
    """Whether `campaign` lists the active programme `slug` of its institution."""
    return slug in current_offer(now).programmes.get(campaign.pk, frozenset())
