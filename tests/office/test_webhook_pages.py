"""The webhooks page of an institution's administrators: register, read deliveries with
their answers, try again, switch off; nobody else sees it (404)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from admissions.catalog.models import Campaign
from admissions.notify.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from admissions.people.models import Role, User
from tests.factories import load_preset, staff_member
from tests.notify.test_webhooks import Receiver


@pytest.fixture
def nord(db: None) -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def admin(nord: Campaign) -> User:
    return staff_member(Role.INSTITUTION_ADMIN, institution=nord.institution)


def test_an_administrator_registers_an_endpoint_and_sees_its_secret_once(
    client: Client, nord: Campaign, admin: User
) -> None:
    client.force_login(admin)
    page = client.post(
        "/en/office/webhooks/",
        {
            "institution": nord.institution.pk,
            "url": "https://erp.example.org/hooks",
            "events": ["application.submitted", "place.released"],
        },
    )
    assert page.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in page.content.decode()
    again = client.get("/en/office/webhooks/").content.decode()
    assert endpoint.secret not in again
    assert "https://erp.example.org/hooks" in again
    assert "Place released" in again


def test_a_wrong_address_is_told_and_nothing_is_saved(
    client: Client, nord: Campaign, admin: User
) -> None:
    client.force_login(admin)
    page = client.post(
        "/en/office/webhooks/",
        {"institution": nord.institution.pk, "url": "not an address", "events": []},
    )
    assert page.status_code == 422
    assert "cannot be registered" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_show_the_answer_and_can_be_tried_again(
    client: Client, nord: Campaign, admin: User
) -> None:
    receiver = Receiver().__enter__()
    endpoint = WebhookEndpoint.objects.create(
        institution=nord.institution,
        url=receiver.url,
        events=["application.submitted"],
        secret="s",
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="application.submitted",
        event_id=uuid.uuid4(),
        payload={"data": {"reference": "NE-2024-000001"}},
        status=DeliveryStatus.FAILED,
        attempts=10,
        response_status=502,
        response_body="upstream down",
    )
    client.force_login(admin)
    page = client.get(f"/en/office/webhooks/{endpoint.pk}/").content.decode()
    assert "HTTP 502" in page
    assert "upstream down" in page
    assert "NE-2024-000001" in page
    try:
        client.post(f"/en/office/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry/")
    finally:
        receiver.__exit__()
    delivery.refresh_from_db()
    # Tried again at once, and answered this time.
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert len(receiver.received) == 1
    client.post(f"/en/office/webhooks/{endpoint.pk}/disable/")
    endpoint.refresh_from_db()
    assert endpoint.active is False


def test_nobody_else_sees_the_page(client: Client, nord: Campaign) -> None:
    bs = load_preset("imt-bs")
    endpoint = WebhookEndpoint.objects.create(
        institution=nord.institution, url="https://x.example.org/", events=[], secret="s"
    )
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    assert client.get("/en/office/webhooks/").status_code == 404
    client.force_login(staff_member(Role.INSTITUTION_ADMIN, institution=bs.institution))
    assert client.get("/en/office/webhooks/").status_code == 200
    assert client.get(f"/en/office/webhooks/{endpoint.pk}/").status_code == 404
    assert client.post(f"/en/office/webhooks/{endpoint.pk}/disable/").status_code == 404
