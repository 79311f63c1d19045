"""The campaigns the staff's home reads: their targets, and their values still to confirm.

One statement reads the campaigns with the confirmations of their values (an outer join,
a row per confirmation or one for a campaign without any). They were two statements, the
second taking the first's ids: on PostgreSQL each is a round trip and the driver's work on
every page. Only a campaign's id, institution and rulebook digest are read: the targets and
the values to confirm come from the rules parsed once per process (catalog/parsed.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from admissions.applications.waiting import campaign_targets
from admissions.catalog.confirmations import pending_among
from admissions.catalog.models import Campaign
from admissions.core.compiled import Shaped, id_markers
from admissions.office.worklist import Scope
from admissions.people.models import User
from admissions.people.permissions import staff_grants

# The campaign's columns read, in the model's order of fields (`Model.from_db` takes the
# values of the fields named in that order, the others deferred).
CAMPAIGN_FIELDS = [
    field.attname
    for field in Campaign._meta.concrete_fields
    if field.attname in {"id", "institution_id", "rulebook_digest"}
]
ID = CAMPAIGN_FIELDS.index("id")
COLUMNS = (*CAMPAIGN_FIELDS, "confirmed_values__key", "confirmed_values__value")
# Compiled once for every campaign, or per number of institutions.
CAMPAIGNS = Shaped()


@dataclass(frozen=True)
class HomeCampaigns:
    # Each campaign's target in days (`waiting.campaign_targets`).
    targets: dict[int, int]
    # How many values of the rulebooks the school has still to confirm.
    to_confirm: int


def home_campaigns(user: User, platform: bool, scope: Scope) -> HomeCampaigns:
    """The campaigns of the reader's programmes (for the targets), and those of the
    institutions they hold a role in (whose values to confirm are counted), read together
    and told apart by the institutions of the roles already read: a campaign of the first
    kind only adds a target no listed file has. On the platform's side, every campaign."""
    institutions = (
        set()
        if platform
        else {inst for _role, inst, _programme in staff_grants(user) if inst is not None}
    )
    wanted = [] if platform else sorted(scope.institution_ids | institutions)
    marks = id_markers(len(wanted))

    def build() -> QuerySet[Campaign, Any]:
        campaigns = (
            Campaign.objects.all()
            if platform
            else Campaign.objects.filter(institution_id__in=marks)
        )
        # Each campaign's confirmations the oldest first: the latest of a key holds.
        return campaigns.order_by("pk", "confirmed_values__pk").values_list(*COLUMNS)

    found: dict[int, Campaign] = {}
    confirmed = []
    for *fields, key, value in CAMPAIGNS.rows((platform, len(wanted)), build, marks, wanted):
        pk = fields[ID]
        if pk not in found:
            found[pk] = Campaign.from_db(DEFAULT_DB_ALIAS, CAMPAIGN_FIELDS, fields)
        # The key's column is NOT NULL: None is the outer join's row of a campaign without
        # any confirmation.
        if key is not None:
            confirmed.append((pk, key, value))
    campaigns = list(found.values())
    counted = campaigns if platform else [c for c in campaigns if c.institution_id in institutions]
    return HomeCampaigns(campaign_targets(campaigns), pending_among(counted, confirmed))
