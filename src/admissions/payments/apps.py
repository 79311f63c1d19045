from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "admissions.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        checks.register(check_card_provider, "payments")


def check_card_provider(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Refuse a Stripe set-up without its secrets; warn when production takes demo money."""
    problems: list[checks.CheckMessage] = []
    if settings.PAYMENTS_CARD_PROVIDER == "stripe":
        if not settings.STRIPE_SECRET_KEY or not settings.STRIPE_WEBHOOK_SECRET:
            problems.append(
                checks.Error(
                    "The stripe card provider needs ADMISSIONS_STRIPE_SECRET_KEY and "
                    "ADMISSIONS_STRIPE_WEBHOOK_SECRET.",
                    id="payments.E001",
                )
            )
    elif getattr(settings, "PRODUCTION", False):
        problems.append(
            checks.Warning(
                "Card payments use the demo provider: no real money is taken.",
                hint="Set ADMISSIONS_CARD_PROVIDER=stripe with its secrets.",
                id="payments.W001",
            )
        )
    return problems
