"""Values the seeds do not state are shown to staff until an administrator confirms them."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from admissions.catalog.confirmations import (
    confirm_value,
    confirmed_keys,
    indicative_tuition,
    values_to_confirm,
)
from admissions.catalog.models import Campaign, ConfirmedValue
from admissions.people.models import Role
from tests.factories import IN_BS_CAMPAIGN, load_preset, programme_of, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def bs() -> Campaign:
    with time_machine.travel(IN_BS_CAMPAIGN, tick=False):
        return load_preset("imt-bs")


def test_the_invented_values_of_imt_bs_are_to_be_confirmed(bs: Campaign) -> None:
    keys = [value.item.key for value in values_to_confirm(bs)]
    for key in (
        "campaign.opens_on",
        "campaign.closes_on",
        "confirmation.window_days",
        "programmes[*].tuition",
    ):
        assert key in keys
    assert all(value.confirmed is None for value in values_to_confirm(bs))
    assert indicative_tuition(bs, "ms-data-ia-management")


def test_staff_see_them_and_an_administrator_confirms_one(bs: Campaign) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution)
    client = Client()
    client.force_login(officer)
    home = client.get("/en/office/").content.decode()
    assert "8 values of the rulebooks are to be confirmed by the school." in home
    page = client.get("/en/office/rules-to-confirm/").content.decode()
    assert page.count("To be confirmed by the school") == 8
    assert "The school confirms this value" not in page  # not an administrator
    response = client.post(
        f"/en/office/rules-to-confirm/{bs.pk}/confirm/", {"key": "programmes[*].tuition"}
    )
    assert response.status_code == 403
    client.force_login(admin)
    page = client.get("/en/office/rules-to-confirm/").content.decode()
    assert "The school confirms this value" in page
    client.post(f"/en/office/rules-to-confirm/{bs.pk}/confirm/", {"key": "programmes[*].tuition"})
    row = ConfirmedValue.objects.get(campaign=bs, key="programmes[*].tuition")
    assert row.confirmed_by == admin
    assert "programmes[*].tuition" in confirmed_keys(bs)
    assert not indicative_tuition(bs, "ms-data-ia-management")
    page = client.get("/en/office/rules-to-confirm/").content.decode()
    assert page.count("To be confirmed by the school") == 7
    assert "Confirmed by the school" in page


def test_a_changed_value_asks_for_confirmation_again(bs: Campaign) -> None:
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution)
    confirm_value(bs, "campaign.closes_on", by=admin)
    assert "campaign.closes_on" in confirmed_keys(bs)
    assert confirm_value(bs, "campaign.closes_on", by=admin).pk == (
        ConfirmedValue.objects.get(campaign=bs).pk
    )

    def later(raw: dict[str, object]) -> None:
        raw["campaign"]["closes_on"] = {"date": "2024-09-20"}  # type: ignore[index]

    with time_machine.travel(IN_BS_CAMPAIGN, tick=False):
        reloaded = load_preset("imt-bs", edit=later)
    assert "campaign.closes_on" not in confirmed_keys(reloaded)


def test_candidates_read_unconfirmed_tuition_as_indicative(bs: Campaign) -> None:
    programme = programme_of(bs, "ms-data-ia-management")
    client = Client()
    query = f"?programme={programme.pk}&track=work_study&financing_mode=opco"
    with time_machine.travel(IN_BS_CAMPAIGN, tick=False):
        page = client.get(f"/en/payments/simulator/{query}").content.decode()
        assert "Indicative amounts" in page
        detail = client.get("/en/programmes/imt-bs/ms-data-ia-management/").content.decode()
        assert "Indicative amounts" in detail
        admin = staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution)
        confirm_value(bs, "programmes[*].tuition", by=admin)
        page = client.get(f"/en/payments/simulator/{query}").content.decode()
        assert "Indicative amounts" not in page


def test_staff_of_another_school_do_not_see_them(bs: Campaign) -> None:
    with time_machine.travel(IN_BS_CAMPAIGN, tick=False):
        nord = load_preset("imt-nord-europe")
    other = staff_member(Role.INSTITUTION_ADMIN, institution=nord.institution)
    client = Client()
    client.force_login(other)
    page = client.get("/en/office/rules-to-confirm/").content.decode()
    assert "IMT-BS" not in page
    response = client.post(
        f"/en/office/rules-to-confirm/{bs.pk}/confirm/", {"key": "campaign.opens_on"}
    )
    assert response.status_code == 404


def test_the_home_counts_the_values_not_confirmed_as_they_are_now(bs: Campaign) -> None:
    with time_machine.travel(IN_BS_CAMPAIGN, tick=False):
        nord = load_preset("imt-nord-europe")
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution)
    platform = staff_member(Role.PLATFORM_ADMIN)
    client = Client()

    def said(reader: object) -> int:
        client.force_login(reader)  # type: ignore[arg-type]
        home = client.get("/en/office/").content.decode()
        found = re.search(r"(\d+) values? of the rulebooks? (?:is|are) to be confirmed", home)
        return int(found[1]) if found else 0

    ours, theirs = len(bs.to_confirm_values), len(nord.to_confirm_values)
    assert (said(officer), said(platform)) == (ours, ours + theirs)
    # Another school's confirmations count on its own side only.
    confirm_value(nord, next(iter(nord.to_confirm_values)), by=platform)
    assert (said(officer), said(platform)) == (ours, ours + theirs - 1)
    confirm_value(bs, "programmes[*].tuition", by=admin)
    assert (said(officer), said(platform)) == (ours - 1, ours + theirs - 2)
    # A value the rulebook does not hold, confirmed: still to confirm.
    old = {"date": "1999-01-01"}
    ConfirmedValue.objects.create(campaign=bs, key="campaign.closes_on", value=old)
    assert said(officer) == ours - 1
    confirm_value(bs, "campaign.closes_on", by=admin)
    assert said(officer) == ours - 2
    # The latest confirmation of a key is the one that holds.
    ConfirmedValue.objects.create(campaign=bs, key="campaign.closes_on", value=old)
    assert said(officer) == ours - 1
