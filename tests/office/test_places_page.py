"""The staff's page of a programme's places: offers and their windows, the waiting list with
ranks and positions, its movements, and the release of a place kept after its window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign
from admissions.people.models import Role
from tests.factories import IN_NORD_CAMPAIGN, load_preset, staff_member
from tests.workflow.places_helpers import BS_PROGRAMME, decided, paris, set_capacity

Capture = Callable[..., Any]


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bs(db: None, clock: time_machine.Coordinates) -> Campaign:
    campaign = load_preset("imt-bs")
    set_capacity(campaign, BS_PROGRAMME, 1)
    return campaign


def english(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_the_officer_sees_offers_and_the_ranked_list_then_releases_a_kept_place(
    bs: Campaign, clock: time_machine.Coordinates, django_capture_on_commit_callbacks: Capture
) -> None:
    offer = decided(bs, BS_PROGRAMME, "publish_admitted")
    second = decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=2)
    first = decided(bs, BS_PROGRAMME, "publish_waitlisted", rank=1)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    client = Client()
    client.force_login(officer)
    index = client.get(english("office:places_index")).content.decode()
    url = english("office:places", offer.programme_id, bs.pk)
    assert url in index
    page = client.get(url).content.decode()
    assert offer.reference in page
    assert "27 February 2024" in page
    waiting = page[page.index('id="waiting-list"') : page.index('id="movements"')]
    assert waiting.index(first.reference) < waiting.index(second.reference)
    assert "Release the place" not in page
    release = english("office:release_place", offer.reference)
    # Within the window the office cannot release it: told why, nothing changes.
    answer = client.post(release, follow=True)
    assert "has until midnight on 27 February 2024" in answer.content.decode()
    offer.refresh_from_db()
    assert offer.status == Status.ADMITTED
    clock.move_to(paris(2024, 2, 28, 9))
    client.force_login(officer)  # a staff session lasts less than a day
    page = client.get(url).content.decode()
    assert "window over" in page
    assert "Release the place" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(release).status_code == 302
    offer.refresh_from_db()
    first.refresh_from_db()
    assert (offer.status, first.status) == (Status.LAPSED, Status.ADMITTED)
    page = client.get(url).content.decode()
    movements = page[page.index('id="movements"') :]
    assert first.reference in movements
    assert "(rank 1)" in movements


def test_a_jury_member_sees_the_list_without_releasing(bs: Campaign) -> None:
    offer = decided(bs, BS_PROGRAMME, "publish_admitted")
    member = staff_member(Role.JURY_MEMBER, institution=bs.institution)
    client = Client()
    client.force_login(member)
    assert client.get(english("office:places", offer.programme_id, bs.pk)).status_code == 200
    assert client.post(english("office:release_place", offer.reference)).status_code == 302
    offer.refresh_from_db()
    assert offer.status == Status.ADMITTED


def test_people_outside_get_404(bs: Campaign) -> None:
    offer = decided(bs, BS_PROGRAMME, "publish_admitted")
    nord = load_preset("imt-nord-europe")
    client = Client()
    outsider = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for user in (outsider, offer.candidate):
        client.force_login(user)
        assert client.get(english("office:places", offer.programme_id, bs.pk)).status_code == 404
    # The other school's officer has a list of their own, without this programme.
    client.force_login(outsider)
    index = client.get(english("office:places_index"))
    assert index.status_code == 200
    assert english("office:places", offer.programme_id, bs.pk) not in index.content.decode()
    client.force_login(offer.candidate)
    assert client.get(english("office:places_index")).status_code == 404
    # Another school's campaign under this programme's address is not found either.
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    client.force_login(officer)
    assert client.get(english("office:places", offer.programme_id, nord.pk)).status_code == 404
