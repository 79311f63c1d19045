"""Stripe's notifications that verify but must still be refused: from the future, or empty."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.payments import ledger
from admissions.payments.models import CardCheckout, EntryKind, LedgerEntry
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication
from tests.payments.stripe_server import SECRET_KEY, WEBHOOK_SECRET, event, session, sign

HOOK = "/hooks/payments/stripe/"


@pytest.fixture
def fee_due(bs_campaign: Campaign, make_application: MakeApplication) -> Application:
    application = make_application(bs_campaign)
    ledger.charge(
        application.pk, charge_kind=ChargeKind.APPLICATION_FEE, amount_cents=8_000, by=None
    )
    CardCheckout.objects.create(
        application=application,
        charge_kind=ChargeKind.APPLICATION_FEE,
        amount_cents=8_000,
        provider="stripe",
        session_id="cs_test_1",
    )
    return application


@pytest.fixture(autouse=True)
def _stripe(settings: Settings) -> None:
    settings.PAYMENTS_CARD_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


def post(client: Client, payload: bytes, signature: str) -> Any:
    return client.post(
        HOOK, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def paid() -> bool:
    return LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def raw_event(**fields: Any) -> bytes:
    return json.dumps(
        {"id": "evt_1", "object": "event", "type": "checkout.session.completed", **fields}
    ).encode()


@pytest.mark.parametrize(
    "payload",
    [
        raw_event(),
        raw_event(data=None),
        raw_event(data={}),
        raw_event(data={"object": "cs_test_1"}),
        raw_event(data={"object": {"payment_status": "paid", "amount_total": 8_000}}),
        raw_event(data={"object": {"id": "cs_test_1", "payment_status": "paid"}}),
        raw_event(
            data={
                "object": {
                    "id": "cs_test_1",
                    "payment_status": "paid",
                    "amount_total": "8000",
                    "currency": "eur",
                }
            }
        ),
        raw_event(type="checkout.session.expired", data={"object": {}}),
        b"[]",
    ],
)
def test_a_signed_event_without_its_data_gets_a_json_400(
    client: Client, fee_due: Application, payload: bytes
) -> None:
    response = post(client, payload, sign(payload))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "malformed_notification"
    assert not paid()


def test_a_signed_body_that_is_not_json_gets_a_json_400(
    client: Client, fee_due: Application
) -> None:
    payload = b"not json"
    response = post(client, payload, sign(payload))
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_notification"


@pytest.mark.parametrize("offset", [3600, 10 * 365 * 86400, 301])
def test_a_signature_from_the_future_is_refused(
    client: Client, fee_due: Application, offset: int
) -> None:
    payload = event("checkout.session.completed", session("cs_test_1", amount=8_000))
    response = post(client, payload, sign(payload, timestamp=int(time.time()) + offset))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not paid()


@pytest.mark.parametrize("offset", [-3600, -301])
def test_a_signature_from_the_past_is_refused(
    client: Client, fee_due: Application, offset: int
) -> None:
    payload = event("checkout.session.completed", session("cs_test_1", amount=8_000))
    response = post(client, payload, sign(payload, timestamp=int(time.time()) + offset))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not paid()


@pytest.mark.parametrize("offset", [-240, 0, 240])
def test_a_signature_within_the_tolerance_is_accepted(
    client: Client, fee_due: Application, offset: int
) -> None:
    payload = event("checkout.session.completed", session("cs_test_1", amount=8_000))
    response = post(client, payload, sign(payload, timestamp=int(time.time()) + offset))
    assert response.status_code == 200
    assert paid()
