"""Values of a rulebook the school confirms: `to_confirm` keys, one recorded action each.

Staff see every value still to confirm as "to be confirmed by the school" until an
institution administrator confirms it; candidates see amounts drawn from unconfirmed
tuition as indicative. Who may confirm is checked by the caller (the back office).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from admissions.catalog.models import Campaign, ConfirmedValue
from admissions.core.errors import DomainError
from admissions.rules.rulebook_checks import values_at
from admissions.rules.schema import ToConfirm
from admissions.rules.to_confirm import tuition_unconfirmed


class UnknownKeyError(DomainError):
    code = "unknown_key"
    http_status = 404


@dataclass(frozen=True)
class ValueToConfirm:
    item: ToConfirm
    value: Any  # as the campaign's rulebook holds it, JSON data
    confirmed: ConfirmedValue | None  # the confirmation of this very value, if any


def _current(campaign: Campaign, key: str) -> Any:
    values = campaign.to_confirm_values
    return values[key] if key in values else values_at(campaign.rulebook, key)


def pending_among(campaigns: Iterable[Campaign], confirmed: Iterable[tuple[int, str, Any]]) -> int:
    """How many `to_confirm` values of `campaigns` no administrator confirmed as they are now
    (their rulebooks' JSON left unread), given `confirmed`: the confirmations of those
    campaigns, and maybe of others, as (campaign id, key, value), oldest first: read by the
    caller with the campaigns themselves, one statement for both."""
    latest: dict[tuple[int, str], Any] = {}
    for campaign_id, key, value in confirmed:
        latest[(campaign_id, key)] = value
    return sum(
        1
        for campaign in campaigns
        for key, value in campaign.to_confirm_values.items()
        if (campaign.pk, key) not in latest or latest[(campaign.pk, key)] != value
    )


def confirmed_keys(campaign: Campaign) -> frozenset[str]:
    """The `to_confirm` keys whose current value an administrator confirmed."""
    latest: dict[str, Any] = {}
    for row in ConfirmedValue.objects.filter(campaign=campaign):
        latest[row.key] = row.value
    return frozenset(key for key, value in latest.items() if value == _current(campaign, key))


def values_to_confirm(campaign: Campaign) -> list[ValueToConfirm]:
    """Every `to_confirm` value of the campaign, confirmed or not, in the rulebook's order."""
    rows: dict[str, ConfirmedValue] = {}
    for row in ConfirmedValue.objects.filter(campaign=campaign).select_related("confirmed_by"):
        rows[row.key] = row
    found = []
    for item in campaign.rules.to_confirm:
        value = _current(campaign, item.key)
        last = rows.get(item.key)
        found.append(
            ValueToConfirm(
                item=item, value=value, confirmed=last if last and last.value == value else None
            )
        )
    return found


def confirm_value(campaign: Campaign, key: str, *, by: Any) -> ConfirmedValue:
    """Record that the school confirms the value now at `key`; confirming twice records once."""
    if key not in {item.key for item in campaign.rules.to_confirm}:
        raise UnknownKeyError(f"{key!r} is not a value to confirm of this rulebook")
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        value = _current(locked, key)
        last = ConfirmedValue.objects.filter(campaign=locked, key=key).last()
        if last is not None and last.value == value:
            return last
        return ConfirmedValue.objects.create(campaign=locked, key=key, value=value, confirmed_by=by)


def indicative_tuition(campaign: Campaign, programme_slug: str) -> bool:
    """Tuition amounts of this programme come from values the school has not confirmed."""
    return tuition_unconfirmed(campaign.rules, programme_slug, confirmed_keys(campaign))
