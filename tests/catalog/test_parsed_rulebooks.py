"""A campaign's rules are parsed once per process and found again by the digest of its rulebook."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from admissions.catalog import parsed
from admissions.catalog.models import Campaign, Institution, without_rulebooks
from admissions.catalog.services import load_rulebook
from admissions.rulebooks import preset_path
from admissions.rules.rulebook import data_digest, read_rulebook

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign() -> Campaign:
    load_rulebook(read_rulebook(preset_path("imt-nord-europe")))
    parsed.clear()
    return Campaign.objects.get()


def test_two_reads_of_a_campaign_share_one_parsed_rulebook(campaign: Campaign) -> None:
    again = Campaign.objects.get(pk=campaign.pk)
    assert again is not campaign
    assert again.rules is campaign.rules
    # The institution holds the same rules as its newest campaign: one parse for both.
    assert Institution.objects.get().rules is campaign.rules


def test_a_campaign_read_without_its_rulebook_reads_it_once_then_never(
    campaign: Campaign,
) -> None:
    def rules_without_json() -> tuple[int, object]:
        row = Campaign.objects.defer(*without_rulebooks("")).get(pk=campaign.pk)
        with CaptureQueriesContext(connection) as captured:
            rules = row.rules
        return len(captured), rules

    first_queries, first = rules_without_json()
    second_queries, second = rules_without_json()
    assert first_queries == 1  # the deferred JSON, the first time in the process
    assert second_queries == 0
    assert second is first
    assert first == read_rulebook(preset_path("imt-nord-europe")).rulebook


def test_a_rulebook_changed_on_the_row_gives_new_rules(campaign: Campaign) -> None:
    before = campaign.rules
    data = dict(campaign.rulebook)
    data["documents"] = {**data["documents"], "translation": "none"}
    campaign.rulebook = data
    campaign.save(update_fields=["rulebook"])
    fresh = Campaign.objects.get(pk=campaign.pk)
    assert fresh.rulebook_digest == data_digest(data)
    assert str(fresh.rules.documents.translation) == "none"
    assert str(before.documents.translation) != "none"


def test_a_row_without_a_digest_is_parsed_by_its_content(campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(rulebook_digest="")
    row = Campaign.objects.get(pk=campaign.pk)
    assert row.rules == campaign.rules
    assert Campaign.objects.get(pk=campaign.pk).rules is row.rules
