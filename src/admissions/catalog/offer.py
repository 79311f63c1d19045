"""The campaigns open around today and the programmes each offers, kept in the process.

The public eligibility check asks which campaign of an institution is open and whether it
offers a programme on every request, and every new draft names a campaign and a programme;
the answer changes only when the catalogue does. The rows are read again after
`KEPT_SECONDS`, on the next day in Paris, or at once when this process saves or deletes an
institution, a site, a programme or a campaign (the receivers in `catalog.apps`). Another
process sees such a change within `KEPT_SECONDS`.

The rows handed out are shared by every request of the process: read them, never change them.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from admissions.catalog.models import Campaign, Institution, Programme, without_rulebooks
from admissions.rules import deadlines

KEPT_SECONDS = 5.0


@dataclass(frozen=True)
class Offer:
    day: dt.date
    read_at: float
    campaigns: tuple[Campaign, ...]  # open on `day`, by date only; `is_open` decides
    programmes: dict[int, frozenset[str]]  # slugs of the active programmes a campaign lists
    # Every programme (active or not) of the institutions of those campaigns, by id, with its
    # site and its institution (the campaigns' own row).
    programme_rows: dict[int, Programme]


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
    institutions: dict[int, Institution] = {
        campaign.institution_id: campaign.institution for campaign in campaigns
    }
    rows = list(Programme.objects.filter(institution_id__in=institutions).select_related("site"))
    active: dict[int, set[str]] = {}
    for row in rows:
        row.institution = institutions[row.institution_id]
        if row.is_active:
            active.setdefault(row.institution_id, set()).add(row.slug)
    programmes = {
        campaign.pk: frozenset(
            programme.slug
            for programme in campaign.rules.programmes
            if programme.slug in active.get(campaign.institution_id, set())
        )
        for campaign in campaigns
    }
    return Offer(day, time.monotonic(), campaigns, programmes, {row.pk: row for row in rows})


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


def kept_campaign(now: dt.datetime, pk: int) -> Campaign | None:
    """The campaign `pk` if it is open on today's date (its institution with it), else None:
    the caller reads a campaign that is not open from the database."""
    return next((campaign for campaign in current_offer(now).campaigns if campaign.pk == pk), None)


def kept_programme(now: dt.datetime, pk: int, institution_id: int) -> Programme | None:
    """The programme `pk` of the institution (its site and institution with it) if that
    institution has a campaign open today, else None."""
    found = current_offer(now).programme_rows.get(pk)
    return found if found is not None and found.institution_id == institution_id else None
