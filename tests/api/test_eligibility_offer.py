"""The eligibility check reads what is open from the process (catalog/offer.py), and sees a
change of the catalogue on the next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from admissions.catalog import offer
from admissions.catalog.models import Campaign, Programme
from tests.api.test_eligibility import PROGRAMME, payload, post


@pytest.fixture(autouse=True)
def _open(nord: Campaign) -> None:
    """IMT Nord Europe's campaign is loaded and open for every test here."""


def test_a_second_check_reads_nothing_from_the_database(client: Client) -> None:
    assert post(client, payload()).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert post(client, payload()).status_code == 200
    assert len(captured) == 0


def test_a_campaign_closed_is_closed_on_the_next_check(client: Client, nord: Campaign) -> None:
    assert post(client, payload()).status_code == 200
    nord.closes_on = nord.opens_on
    nord.save()
    response = post(client, payload())
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "institution"


def test_a_programme_withdrawn_is_refused_on_the_next_check(client: Client) -> None:
    assert post(client, payload()).status_code == 200
    programme = Programme.objects.get(institution__slug="imt-nord-europe", slug=PROGRAMME)
    programme.is_active = False
    programme.save()
    response = post(client, payload())
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "programme"
    programme.is_active = True
    programme.save()
    assert post(client, payload()).status_code == 200


def test_a_campaign_loaded_is_found_on_the_next_check(client: Client, bs: Campaign) -> None:
    Campaign.objects.filter(pk=bs.pk).update(closes_on=bs.opens_on)
    offer.forget()
    data = payload(institution="imt-bs", programme="ms-transformation-digitale")
    assert post(client, data).status_code == 422
    bs.refresh_from_db()
    bs.closes_on = bs.opens_on + dt.timedelta(days=400)
    bs.save()
    assert post(client, data).status_code == 200


def test_another_process_s_change_is_seen_within_the_kept_seconds(
    client: Client, nord: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert post(client, payload()).status_code == 200
    # An update sends no signal, as a change made by another process reaches none here.
    Campaign.objects.filter(pk=nord.pk).update(closes_on=nord.opens_on)
    assert post(client, payload()).status_code == 200
    monkeypatch.setattr(offer, "KEPT_SECONDS", 0.0)
    assert post(client, payload()).status_code == 422
