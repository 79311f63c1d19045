"""Stripe Checkout: the candidate pays on Stripe's hosted page; Stripe notifies us.

A Checkout Session is created through the stripe SDK for one charge line. Stripe then
posts events to /hooks/payments/stripe/, signed with the endpoint's secret
(`Stripe-Signature: t=...,v1=HMAC-SHA256(secret, "t.payload")`);
`stripe.WebhookSignature.verify_header` checks the signature, and that it is not older than
five minutes, before anything is read; a signature more than five minutes in the future is
refused too. An event that verifies but lacks its `data.object`, or a session without id,
amount or currency, is refused as malformed.

`checkout.session.completed` with `payment_status` "paid" (cards) and
`checkout.session.async_payment_succeeded` (delayed methods) confirm a payment; the Checkout
Session id is the payment id, so the two events, or one event delivered twice, record one
payment. `checkout.session.expired` closes the checkout.
"""

from __future__ import annotations

import json
import time
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
    MalformedNotificationError,
    ProviderUnavailableError,
    WebhookResult,
    register,
)

# How far a signature's time may be from ours, either way (Stripe's own default).
TOLERANCE_SECONDS = 300
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
            stripe.WebhookSignature.verify_header(
                payload, signature, self.webhook_secret, tolerance=TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as error:
            raise InvalidSignatureError(str(error)) from None
        except ValueError:  # not UTF-8: it cannot have been signed as Stripe signs
            raise InvalidSignatureError("the body is not UTF-8") from None
        # Stripe checks only that a signature is not too old; one from the future is as
        # suspect (a replay prepared in advance, or a clock far off).
        if signed_at(signature) > time.time() + TOLERANCE_SECONDS:
            raise InvalidSignatureError("the signature's timestamp is in the future")
        try:
            body = json.loads(payload)
        except ValueError:
            raise MalformedNotificationError("the event is not JSON") from None
        if not isinstance(body, dict):
            raise MalformedNotificationError("the event is not a JSON object")
        data = body.get("data")
        session = data.get("object") if isinstance(data, dict) else None
        if not isinstance(session, dict):
            raise MalformedNotificationError("the event has no data.object")
        kind = body.get("type")
        if kind in PAID_EVENTS and session.get("payment_status") == "paid":
            return WebhookResult(paid=[_confirmation(session)])
        if kind in EXPIRED_EVENTS:
            return WebhookResult(expired=[_session_id(session)])
        return WebhookResult()


def signed_at(header: str) -> int:
    """The `t=` of a Stripe-Signature header that has verified."""
    for item in header.split(","):
        key, _sep, value = item.partition("=")
        if key.strip() == "t":
            return int(value)
    raise InvalidSignatureError("no timestamp in the Stripe-Signature header")


def _session_id(session: dict[str, Any]) -> str:
    value = session.get("id")
    if not isinstance(value, str) or not value:
        raise MalformedNotificationError("the Checkout Session has no id")
    return value


def _confirmation(session: dict[str, Any]) -> Confirmation:
    session_id = _session_id(session)
    amount = session.get("amount_total")
    currency = session.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise MalformedNotificationError("the Checkout Session has no amount_total")
    if not isinstance(currency, str) or len(currency) != 3:
        raise MalformedNotificationError("the Checkout Session has no currency")
    return Confirmation(
        session_id=session_id,
        payment_id=f"stripe:{session_id}",
        amount_cents=amount,
        currency=currency.upper(),
    )


@register("stripe")
def from_settings() -> CardProvider:
    return StripeProvider(
        secret_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET
    )
