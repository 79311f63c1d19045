"""The rulebook's values a school must confirm, through the API: read by the school's
staff, confirmed by its administrator only, through the page's service (404 outside)."""

from __future__ import annotations

from django.test import Client

from admissions.catalog.models import Campaign, ConfirmedValue
from admissions.people.models import Role
from tests.api.test_staff_api import as_
from tests.factories import eligible_candidate, staff_member

JSON = "application/json"


def test_the_school_confirms_its_values(bs: Campaign, nord: Campaign) -> None:
    url = f"/api/v1/staff/campaigns/{bs.pk}/to-confirm"
    officer = as_(staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution))
    read = officer.get(url)
    assert read.status_code == 200, read.content
    values = {row["key"]: row for row in read.json()["values"]}
    assert values["campaign.opens_on"]["confirmed_at"] is None
    assert (
        values["campaign.opens_on"]["note"] == "The guide gives no opening date for applications."
    )
    assert read.json()["can_confirm"] is False
    refused = officer.post(url, {"key": "campaign.opens_on"}, content_type=JSON)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"
    for outsider in (
        eligible_candidate(),
        staff_member(Role.INSTITUTION_ADMIN, institution=nord.institution),
    ):
        client = as_(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"key": "campaign.opens_on"}, content_type=JSON).status_code == 404
    assert Client().post(url, {"key": "campaign.opens_on"}, content_type=JSON).status_code == 401
    assert not ConfirmedValue.objects.exists()
    admin = as_(staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution))
    unknown = admin.post(url, {"key": "fees.nothing"}, content_type=JSON)
    assert unknown.status_code == 422
    assert unknown.json()["details"][0]["field"] == "key"
    done = admin.post(url, {"key": "campaign.opens_on"}, content_type=JSON)
    assert done.status_code == 200, done.content
    confirmed = {row["key"]: row["confirmed_at"] for row in done.json()["values"]}
    assert confirmed["campaign.opens_on"] is not None
    assert confirmed["campaign.closes_on"] is None
    admin.post(url, {"key": "campaign.opens_on"}, content_type=JSON)
    assert ConfirmedValue.objects.filter(campaign=bs, key="campaign.opens_on").count() == 1
