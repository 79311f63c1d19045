"""A new draft takes its open campaign and programme from the process's offer
(catalog/offer.py): nothing of the catalogue is read again, and a change of it made in this
process is seen by the next creation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from admissions.catalog import offer
from admissions.catalog.models import Campaign, Programme
from admissions.notify.models import Notification
from tests.api.test_applications import BASE, create_body, post
from tests.factories import eligible_candidate, programme_of


def signed_in() -> Client:
    client = Client()
    client.force_login(eligible_candidate())
    return client


def test_a_second_creation_reads_no_campaign_and_no_programme(
    nord: Campaign, monkeypatch: pytest.MonkeyPatch
) -> None:
    # However slow the machine, the offer read by the first creation is still kept.
    monkeypatch.setattr(offer, "KEPT_SECONDS", 3600.0)
    assert post(signed_in(), BASE, create_body(nord)).status_code == 201
    client, body = signed_in(), create_body(nord)
    with CaptureQueriesContext(connection) as captured:
        assert post(client, BASE, body).status_code == 201
    read = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not [s for s in read if '"catalog_campaign"' in s or '"catalog_programme"' in s]
    assert not [s for s in read if '"catalog_institution"' in s or '"catalog_site"' in s]


def test_a_programme_of_another_institution_is_not_found(nord: Campaign, bs: Campaign) -> None:
    assert post(signed_in(), BASE, create_body(nord)).status_code == 201  # the offer is kept
    other = programme_of(bs)
    response = post(signed_in(), BASE, create_body(nord, programme_id=other.pk))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_programme_withdrawn_is_refused_on_the_next_creation(nord: Campaign) -> None:
    assert post(signed_in(), BASE, create_body(nord)).status_code == 201
    programme = programme_of(nord)
    programme.is_active = False
    programme.save()
    response = post(signed_in(), BASE, create_body(nord))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_choice"


def test_a_campaign_closed_in_this_process_is_closed_on_the_next_creation(
    nord: Campaign,
) -> None:
    assert post(signed_in(), BASE, create_body(nord)).status_code == 201
    nord.opens_on = nord.closes_on = nord.opens_on.replace(year=nord.opens_on.year - 1)
    nord.save()
    response = post(signed_in(), BASE, create_body(nord))
    assert response.status_code == 409
    assert response.json()["code"] == "campaign_closed"


def test_the_transfer_email_gives_the_site_s_address_as_changed(nord: Campaign) -> None:
    # IMT Nord Europe's fee is paid by transfer: each new draft queues the email with the
    # account, signed with the programme's site.
    assert post(signed_in(), BASE, create_body(nord)).status_code == 201
    site = Programme.objects.select_related("site").get(pk=programme_of(nord).pk).site
    site.address = "1 rue du Changement\n59000 Lille"
    site.save()
    assert post(signed_in(), BASE, create_body(nord)).status_code == 201
    latest = Notification.objects.filter(kind="transfer_awaited").order_by("-pk").first()
    assert latest is not None
    assert "1 rue du Changement" in latest.text
