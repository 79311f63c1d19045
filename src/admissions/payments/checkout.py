"""Card payments: open a checkout at the provider, record what it confirms.

A confirmation is recorded once whatever the number of deliveries: the provider's payment
id becomes the ledger entry's external id, and the checkout row is locked while it is
read. A confirmation for a withdrawn file is recorded (the money was taken) and raised as
an issue so that a finance officer gives it back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.payments import history, ledger
from admissions.payments.errors import IllegalMoveError, NothingToPayError, ProviderError
from admissions.payments.models import CardCheckout, CheckoutStatus, Method
from admissions.payments.providers.base import (
    CardProvider,
    CheckoutRequest,
    Confirmation,
    ProviderUnavailableError,
    get_provider,
)
from admissions.payments.settlement import Settlement, settle
from admissions.people.models import User
from admissions.rules.fees import payment_methods
from admissions.rules.vocabulary import ChargeKind, PaymentMethod

log = logging.getLogger(__name__)


def card_allowed(application: Application, charge_kind: str) -> bool:
    methods = payment_methods(application.rules, ChargeKind(charge_kind))
    return PaymentMethod.CARD in methods


def start_card_checkout(
    application: Application,
    *,
    charge_kind: str,
    instalment: int | None,
    by: User,
    success_url: str,
    cancel_url: str,
    language: str,
    provider: CardProvider | None = None,
) -> tuple[CardCheckout, str]:
    """Open a checkout for what is owed on a line; returns it and where to send the payer."""
    provider = provider or get_provider()
    if history.is_withdrawn(application):
        raise IllegalMoveError(_("This application is withdrawn."), code="application_withdrawn")
    if not card_allowed(application, charge_kind):
        raise IllegalMoveError(_("This charge cannot be paid by card."), code="card_not_accepted")
    line = ledger.line_of(application.pk, charge_kind, instalment)
    if line.outstanding <= 0:
        raise NothingToPayError(_("Nothing is owed on this charge."))
    reference = f"{application.reference}-{line.key.replace(':', '-')}"
    count = CardCheckout.objects.filter(application=application).count()
    request = CheckoutRequest(
        reference=f"{reference}-{count + 1}",
        description=f"{application.reference} — {line.label}",
        amount_cents=line.outstanding,
        currency="EUR",
        customer_email=application.candidate.email,
        success_url=success_url,
        cancel_url=cancel_url,
        language=language,
        metadata={
            "application": application.reference,
            "charge_kind": line.charge_kind,
            "instalment": str(line.instalment or ""),
        },
    )
    try:
        session = provider.start_checkout(request)
    except ProviderUnavailableError as error:
        log.warning("card provider %s refused a checkout: %s", provider.name, error)
        raise ProviderError(
            _("The card payment service cannot be reached. Try again in a few minutes.")
        ) from None
    with transaction.atomic():
        locked = history.lock_application(application.pk)
        # A double click can bring back the provider's session for the same idempotency
        # key: the second request finds the first one's checkout.
        checkout, created = CardCheckout.objects.get_or_create(
            session_id=session.session_id,
            defaults={
                "application": locked,
                "charge_kind": line.charge_kind,
                "instalment": line.instalment,
                "amount_cents": line.outstanding,
                "provider": provider.name,
                "created_by": by,
            },
        )
        if created:
            history.record(
                locked,
                action="payment.checkout_started",
                by=by,
                details={
                    "provider": provider.name,
                    "session_id": session.session_id,
                    "charge_kind": line.charge_kind,
                    "instalment": line.instalment,
                    "amount_cents": line.outstanding,
                },
            )
    return checkout, session.redirect_url


def confirm(provider_name: str, confirmation: Confirmation) -> Settlement | None:
    """Record a payment the provider confirms; None for a checkout we do not know."""
    with transaction.atomic():
        checkout = (
            CardCheckout.objects.select_for_update()
            .filter(provider=provider_name, session_id=confirmation.session_id)
            .first()
        )
        if checkout is None:
            log.warning("%s confirmed unknown checkout %s", provider_name, confirmation.session_id)
            return None
        settlement = settle(
            checkout.application_id,
            charge_kind=checkout.charge_kind,
            instalment=checkout.instalment,
            amount_cents=confirmation.amount_cents,
            method=Method.CARD,
            external_id=confirmation.payment_id,
            by=None,
            reference=confirmation.session_id[:40],
            note=_("Card payment (%(provider)s)") % {"provider": provider_name},
        )
        if checkout.payment_id is None:
            checkout.payment = settlement.payment
            checkout.status = CheckoutStatus.PAID
            checkout.save(update_fields=["payment", "status"])
    return settlement


def expire(provider_name: str, session_id: str) -> None:
    with transaction.atomic():
        checkout = (
            CardCheckout.objects.select_for_update()
            .filter(provider=provider_name, session_id=session_id, status=CheckoutStatus.OPEN)
            .first()
        )
        if checkout is None:
            return
        checkout.status = CheckoutStatus.EXPIRED
        checkout.save(update_fields=["status"])
        history.record(
            history.lock_application(checkout.application_id),
            action="payment.checkout_expired",
            by=None,
            details={"provider": provider_name, "session_id": session_id},
        )


def handle_webhook(
    provider: CardProvider, *, payload: bytes, headers: Mapping[str, str]
) -> list[Settlement]:
    """Verify a provider's notification and apply it; InvalidSignatureError propagates."""
    result = provider.parse_webhook(payload=payload, headers=headers)
    settlements = []
    for confirmation in result.paid:
        settlement = confirm(provider.name, confirmation)
        if settlement is not None:
            settlements.append(settlement)
    for session_id in result.expired:
        expire(provider.name, session_id)
    return settlements


def pay_demo(checkout: CardCheckout, *, by: User) -> Settlement:
    """The demo provider's "Pay (demo)" button: no money moves, the payment is recorded."""
    if checkout.provider != "demo":
        raise IllegalMoveError(
            _("Only a demonstration checkout can be paid here."), code="not_demo"
        )
    settlement = confirm(
        "demo",
        Confirmation(
            session_id=checkout.session_id,
            payment_id=f"demo:{checkout.session_id}",
            amount_cents=checkout.amount_cents,
            currency=checkout.currency,
        ),
    )
    if settlement is None:  # the checkout row exists, so confirm always finds it
        raise IllegalMoveError(_("This checkout is unknown."), code="unknown_checkout")
    return settlement
