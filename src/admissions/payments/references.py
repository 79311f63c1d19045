"""The structured references candidates quote on bank transfers."""

from __future__ import annotations

from admissions.core.models import Counter
from admissions.rules import creditor_reference

COUNTER_KEY = "payments:creditor-reference"


def new_creditor_reference() -> str:
    """A platform-wide unique ISO 11649 reference: "RF" + check digits + a 9-digit number.

    Digits only, so that a reference read out on the phone or typed by hand has its
    swapped neighbours caught by the check digits.
    """
    return creditor_reference.make(f"{Counter.next_value(COUNTER_KEY):09d}")
