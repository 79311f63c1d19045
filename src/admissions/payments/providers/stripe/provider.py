"""Stripe Checkout: the candidate pays on Stripe's hosted page; Stripe notifies us.

A Checkout Session is created through the stripe SDK for one charge line. Stripe then
posts events to /hooks/payments/stripe/, signed with the endpoint's secret
(`Stripe-Signature: t=...,v1=HMAC-SHA256(secret, "t.payload")`); `stripe.Webhook.
construct_event` verifies the signature and its age before anything is read.

`checkout.session.completed` with `payment_status` "paid" (cards) and
`checkout.session.async_payment_succeeded` (delayed methods) confirm a payment; the Checkout
Session id is the payment id, so the two events, or one event delivered twice, record one
payment. `checkout.session.expired` closes the checkout.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from admissions.payments.providers.base import (
    CardProvider,
    CheckoutRequest,
    CheckoutSession,
    Confirmation,
    InvalidSignatureError,
    ProviderUnavailableError,
    WebhookResult,
    register,
)

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
EXPIRED_EVENTS = ("checkout.session.expired", "checkout.session.async_payment_failed")


class StripeProvider(CardProvider):
    name = "stripe"

    def __init__(self, *, secret_key: str, webhook_secret: str, api_base: str = "") -> None:
        if not secret_key or not webhook_secret:
            raise ImproperlyConfigured(
                "ADMISSIONS_STRIPE_SECRET_KEY and ADMISSIONS_STRIPE_WEBHOOK_SECRET are needed "
                "for the stripe card provider"
            )
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else {},
            max_network_retries=1,
        )

    def start_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        separator = "&" if "?" in request.success_url else "?"
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_cents,
                        "product_data": {"name": request.description[:250]},
                    },
                }
            ],
            "client_reference_id": request.reference,
            "customer_email": request.customer_email,
            "success_url": f"{request.success_url}{separator}session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": request.cancel_url,
            "locale": "en" if request.language.startswith("en") else "fr",
            "metadata": dict(request.metadata),
            "payment_intent_data": {"metadata": dict(request.metadata)},
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"checkout-{request.reference}"},
            )
        except stripe.StripeError as error:
            raise ProviderUnavailableError(str(error)) from error
        if not session.url:
            raise ProviderUnavailableError("Stripe returned a session without a payment page")
        return CheckoutSession(session_id=session.id, redirect_url=session.url)

    def parse_webhook(self, *, payload: bytes, headers: Mapping[str, str]) -> WebhookResult:
        signature = headers.get("Stripe-Signature") or headers.get("stripe-signature")
        if not signature:
            raise InvalidSignatureError("no Stripe-Signature header")
        try:
            event = stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidSignatureError(str(error)) from None
        session: dict[str, Any] = event.to_dict()["data"]["object"]
        if event.type in PAID_EVENTS and session.get("payment_status") == "paid":
            return WebhookResult(
                paid=[
                    Confirmation(
                        session_id=str(session["id"]),
                        payment_id=f"stripe:{session['id']}",
                        amount_cents=int(session["amount_total"]),
                        currency=str(session["currency"]).upper(),
                    )
                ]
            )
        if event.type in EXPIRED_EVENTS:
            return WebhookResult(expired=[str(session["id"])])
        return WebhookResult()


@register("stripe")
def from_settings() -> CardProvider:
    return StripeProvider(
        secret_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET
    )
