from __future__ import annotations

import time

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.payments import checkout, ledger
from admissions.payments.errors import ProviderError
from admissions.payments.ledger import FeeStatus
from admissions.payments.models import (
    CardCheckout,
    CheckoutStatus,
    EntryKind,
    IssueKind,
    LedgerEntry,
    Method,
    PaymentIssue,
)
from admissions.payments.providers.base import get_provider, names
from admissions.payments.providers.stripe.provider import StripeProvider
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication
from tests.payments.stripe_server import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    event,
    fake_stripe,
    session,
    sign,
)

FEE = ChargeKind.APPLICATION_FEE


@pytest.fixture
def fee_due(bs_campaign: Campaign, make_application: MakeApplication) -> Application:
    application = make_application(bs_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=8_000, by=None)
    return application


@pytest.fixture
def stripe_settings(settings: SettingsWrapper) -> SettingsWrapper:
    settings.PAYMENTS_CARD_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return settings


def test_the_registry_names_both_providers(settings: SettingsWrapper) -> None:
    assert names() == ["demo", "stripe"]
    assert get_provider().name == "demo"
    assert get_provider().is_demo


# The demo provider ---------------------------------------------------------------------


def test_a_demo_card_payment_from_the_pages(
    client: Client, candidate: User, fee_due: Application
) -> None:
    client.force_login(candidate)
    page = client.get(f"/en/payments/{fee_due.reference}/")
    assert page.status_code == 200
    assert "Demo — no real money" in page.content.decode()
    assert "Pay by card (demo)" in page.content.decode()
    started = client.post(f"/payments/{fee_due.reference}/card/application_fee/0/")
    assert started.status_code == 302
    attempt = CardCheckout.objects.get()
    assert started["Location"] == f"/payments/demo/{attempt.session_id}/"
    assert 'class="demo-banner"' in client.get(started["Location"]).content.decode()
    demo_page = client.get(f"/en/payments/demo/{attempt.session_id}/").content.decode()
    assert "Demo — no real money" in demo_page
    assert "Pay (demo)" in demo_page
    done = client.post(started["Location"])
    assert done.status_code == 302
    payment = LedgerEntry.objects.get(kind=EntryKind.PAYMENT)
    assert payment.method == Method.CARD
    assert payment.external_id == f"demo:{attempt.session_id}"
    assert ledger.fee_status(fee_due.pk) == FeeStatus.PAID
    assert client.get(done["Location"]).status_code == 200
    # A second click changes nothing.
    client.post(started["Location"])
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    actions = set(
        ApplicationEvent.objects.filter(application=fee_due).values_list("action", flat=True)
    )
    assert {"payment.checkout_started", "payment.received"} <= actions


def test_another_candidate_cannot_use_the_demo_page(
    client: Client, candidate: User, other_candidate: User, fee_due: Application
) -> None:
    client.force_login(candidate)
    started = client.post(f"/payments/{fee_due.reference}/card/application_fee/0/")
    client.force_login(other_candidate)
    assert client.get(started["Location"]).status_code == 404
    assert client.post(started["Location"]).status_code == 404
    assert client.get(f"/payments/{fee_due.reference}/").status_code == 404
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_a_charge_paid_by_transfer_only_has_no_card_checkout(
    client: Client, candidate: User, nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    client.force_login(candidate)
    answer = client.post(f"/payments/{application.reference}/card/application_fee/0/", follow=True)
    assert answer.status_code == 200
    assert not CardCheckout.objects.exists()


# Stripe ---------------------------------------------------------------------------------


def test_stripe_checkout_session_request(fee_due: Application, candidate: User) -> None:
    with fake_stripe() as server:
        provider = StripeProvider(
            secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, api_base=server.url
        )
        attempt, target = checkout.start_card_checkout(
            fee_due,
            charge_kind=FEE,
            instalment=None,
            by=candidate,
            success_url="https://admissions.example/payments/done/",
            cancel_url="https://admissions.example/payments/",
            language="fr",
            provider=provider,
        )
    assert target == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert (attempt.session_id, attempt.provider, attempt.amount_cents) == (
        "cs_test_1",
        "stripe",
        8_000,
    )
    [received] = server.requests
    assert received.path == "/v1/checkout/sessions"
    assert received.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert (
        received.headers["Idempotency-Key"] == f"checkout-{fee_due.reference}-application_fee-0-1"
    )
    form = dict(received.form)
    assert form["mode"] == "payment"
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][price_data][unit_amount]"] == "8000"
    assert fee_due.reference in form["line_items[0][price_data][product_data][name]"]
    assert (
        form["success_url"]
        == "https://admissions.example/payments/done/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert form["cancel_url"] == "https://admissions.example/payments/"
    assert form["customer_email"] == candidate.email
    assert form["locale"] == "fr"
    assert form["metadata[application]"] == fee_due.reference
    assert form["payment_intent_data[metadata][charge_kind]"] == "application_fee"


def test_a_repeated_request_finds_the_same_checkout(fee_due: Application, candidate: User) -> None:
    with fake_stripe() as server:
        provider = StripeProvider(
            secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, api_base=server.url
        )
        # Two clicks that raced: both asked Stripe with the first click's idempotency key.
        server.sessions[f"checkout-{fee_due.reference}-application_fee-0-2"] = "cs_test_1"
        arguments = {
            "charge_kind": FEE,
            "instalment": None,
            "by": candidate,
            "success_url": "https://admissions.example/ok",
            "cancel_url": "https://admissions.example/",
            "language": "fr",
            "provider": provider,
        }
        first, _ = checkout.start_card_checkout(fee_due, **arguments)  # type: ignore[arg-type]
        second, _ = checkout.start_card_checkout(fee_due, **arguments)  # type: ignore[arg-type]
    assert first.pk == second.pk
    assert CardCheckout.objects.count() == 1
    assert (
        ApplicationEvent.objects.filter(
            application=fee_due, action="payment.checkout_started"
        ).count()
        == 1
    )


def test_stripe_unreachable_is_a_clear_error(fee_due: Application, candidate: User) -> None:
    with fake_stripe() as server:
        server.status = 500
        provider = StripeProvider(
            secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, api_base=server.url
        )
        with pytest.raises(ProviderError):
            checkout.start_card_checkout(
                fee_due,
                charge_kind=FEE,
                instalment=None,
                by=candidate,
                success_url="https://admissions.example/ok",
                cancel_url="https://admissions.example/",
                language="en",
                provider=provider,
            )
    assert not CardCheckout.objects.exists()


def _stripe_checkout(application: Application, session_id: str = "cs_test_1") -> CardCheckout:
    return CardCheckout.objects.create(
        application=application,
        charge_kind=FEE,
        amount_cents=8_000,
        provider="stripe",
        session_id=session_id,
    )


def _post(client: Client, payload: bytes, signature: str | None) -> int:
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return client.post(
        "/hooks/payments/stripe/", data=payload, content_type="application/json", **headers
    ).status_code


def test_a_signed_notification_records_one_payment_however_often_it_comes(
    client: Client, stripe_settings: SettingsWrapper, fee_due: Application
) -> None:
    _stripe_checkout(fee_due)
    payload = event("checkout.session.completed", session("cs_test_1", amount=8_000))
    assert _post(client, payload, sign(payload)) == 200
    assert _post(client, payload, sign(payload)) == 200
    late = event(
        "checkout.session.async_payment_succeeded",
        session("cs_test_1", amount=8_000),
        event_id="evt_2",
    )
    assert _post(client, late, sign(late)) == 200
    payment = LedgerEntry.objects.get(kind=EntryKind.PAYMENT)
    assert (payment.method, payment.external_id, payment.amount_cents) == (
        Method.CARD,
        "stripe:cs_test_1",
        8_000,
    )
    assert ledger.fee_status(fee_due.pk) == FeeStatus.PAID
    assert CardCheckout.objects.get().status == CheckoutStatus.PAID
    assert not PaymentIssue.objects.exists()


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=1,v1=deadbeef",
        "garbage",
        "other-payload",
        "stale",
        "wrong-secret",
    ],
)
def test_a_notification_that_does_not_verify_changes_nothing(
    client: Client, stripe_settings: SettingsWrapper, fee_due: Application, signature: str | None
) -> None:
    _stripe_checkout(fee_due)
    payload = event("checkout.session.completed", session("cs_test_1", amount=8_000))
    if signature == "other-payload":
        signature = sign(b"another payload")
    elif signature == "stale":
        signature = sign(payload, timestamp=int(time.time()) - 3600)
    elif signature == "wrong-secret":
        signature = sign(payload, secret="whsec_other")
    assert _post(client, payload, signature) == 400
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_an_unpaid_completion_records_nothing(
    client: Client, stripe_settings: SettingsWrapper, fee_due: Application
) -> None:
    _stripe_checkout(fee_due)
    payload = event(
        "checkout.session.completed", session("cs_test_1", amount=8_000, status="unpaid")
    )
    assert _post(client, payload, sign(payload)) == 200
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_a_payment_for_a_withdrawn_file_is_recorded_and_flagged(
    client: Client, stripe_settings: SettingsWrapper, fee_due: Application
) -> None:
    _stripe_checkout(fee_due)
    Application.objects.filter(pk=fee_due.pk).update(status="withdrawn")
    payload = event("checkout.session.completed", session("cs_test_1", amount=8_000))
    assert _post(client, payload, sign(payload)) == 200
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    issue = PaymentIssue.objects.get()
    assert (issue.kind, issue.application_id, issue.amount_cents) == (
        IssueKind.WITHDRAWN,
        fee_due.pk,
        8_000,
    )


def test_an_expired_checkout_is_closed(
    client: Client, stripe_settings: SettingsWrapper, fee_due: Application
) -> None:
    _stripe_checkout(fee_due)
    payload = event("checkout.session.expired", session("cs_test_1", amount=8_000, status="unpaid"))
    assert _post(client, payload, sign(payload)) == 200
    assert CardCheckout.objects.get().status == CheckoutStatus.EXPIRED


def test_an_unknown_checkout_is_acknowledged_and_ignored(
    client: Client, stripe_settings: SettingsWrapper, fee_due: Application
) -> None:
    payload = event("checkout.session.completed", session("cs_unknown", amount=8_000))
    assert _post(client, payload, sign(payload)) == 200
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_hooks_of_unknown_or_unconfigured_providers(
    client: Client, db: None, settings: SettingsWrapper
) -> None:
    settings.STRIPE_SECRET_KEY = ""
    payload = b"{}"
    assert (
        client.post(
            "/hooks/payments/nope/", data=payload, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/hooks/payments/stripe/", data=payload, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/hooks/payments/demo/", data=payload, content_type="application/json"
        ).status_code
        == 400
    )
    assert client.get("/hooks/payments/stripe/").status_code == 405


def test_the_overview_lets_the_form_reach_stripe(
    client: Client, candidate: User, stripe_settings: SettingsWrapper, fee_due: Application
) -> None:
    client.force_login(candidate)
    page = client.get(f"/payments/{fee_due.reference}/")
    assert "form-action 'self' https://checkout.stripe.com" in page["Content-Security-Policy"]
    assert "Demo" not in page.content.decode()
