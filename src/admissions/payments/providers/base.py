"""The interface every card provider implements, and the registry that names them.

A provider turns "take this amount for this charge" into a page at the provider where the
candidate pays (`start_checkout`), and turns the provider's signed notifications into
payment confirmations (`parse_webhook`). It never touches the ledger: `payments.checkout`
records what the provider confirms, once per provider payment id.

Adding a provider: a folder next to `demo/` and `stripe/` with a `CardProvider` subclass,
registered with `@register("name")`, and its module listed in `PROVIDER_MODULES`.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PROVIDER_MODULES = (
    "admissions.payments.providers.demo.provider",
    "admissions.payments.providers.stripe.provider",
)


class InvalidSignatureError(Exception):
    """A notification whose signature does not verify: it is refused, never read."""


class MalformedNotificationError(Exception):
    """A notification whose signature verifies but which lacks what it must say."""


class ProviderUnavailableError(Exception):
    """The provider could not be reached or refused the request."""


@dataclass(frozen=True)
class CheckoutRequest:
    reference: str  # our id of the checkout, echoed back by the provider
    description: str  # what the candidate sees on the provider's page
    amount_cents: int
    currency: str
    customer_email: str
    success_url: str
    cancel_url: str
    language: str
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str  # the provider's id of the checkout
    redirect_url: str  # where to send the candidate to pay


@dataclass(frozen=True)
class Confirmation:
    """The provider says the money for a checkout was taken."""

    session_id: str
    payment_id: str  # stable id of the money movement: a second delivery repeats it
    amount_cents: int
    currency: str


@dataclass(frozen=True)
class WebhookResult:
    paid: list[Confirmation] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)  # session ids that can no longer be paid


class CardProvider(ABC):
    name: str = ""
    is_demo: bool = False  # no real money moves; pages say so

    @abstractmethod
    def start_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Open a payment page at the provider; raises ProviderUnavailableError."""

    def parse_webhook(self, *, payload: bytes, headers: Mapping[str, str]) -> WebhookResult:
        """Verify and read a notification; raises InvalidSignatureError when it does not verify,
        MalformedNotificationError when it verifies but cannot be read."""
        raise InvalidSignatureError(f"{self.name} sends no notifications")


_REGISTRY: dict[str, Callable[[], CardProvider]] = {}


def register(name: str) -> Callable[[Callable[[], CardProvider]], Callable[[], CardProvider]]:
    def decorator(factory: Callable[[], CardProvider]) -> Callable[[], CardProvider]:
        _REGISTRY[name] = factory
        return factory

    return decorator


def _load() -> None:
    for module in PROVIDER_MODULES:
        importlib.import_module(module)


def names() -> list[str]:
    _load()
    return sorted(_REGISTRY)


def get_provider(name: str | None = None) -> CardProvider:
    """The provider called `name`, or the one the settings choose (PAYMENTS_CARD_PROVIDER)."""
    _load()
    chosen = name or settings.PAYMENTS_CARD_PROVIDER
    try:
        factory = _REGISTRY[chosen]
    except KeyError:
        raise ImproperlyConfigured(
            f"unknown card provider {chosen!r}; expected one of {', '.join(sorted(_REGISTRY))}"
        ) from None
    return factory()
