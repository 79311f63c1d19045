"""The demonstration provider: the embedded default, where no real money moves.

Its "payment page" is a page of the platform itself (payments:demo_checkout), labelled
"Demo — no real money", where a "Pay (demo)" button confirms the payment at once. It lets
the whole application flow run on a machine with no provider account.
"""

from __future__ import annotations

import secrets

from django.urls import reverse

from admissions.payments.providers.base import (
    CardProvider,
    CheckoutRequest,
    CheckoutSession,
    register,
)


class DemoProvider(CardProvider):
    name = "demo"
    is_demo = True

    def start_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        session_id = f"demo_{secrets.token_hex(12)}"
        return CheckoutSession(
            session_id=session_id,
            redirect_url=reverse("payments:demo_checkout", args=[session_id]),
        )


@register("demo")
def demo() -> CardProvider:
    return DemoProvider()
