"""The structured references candidates quote on bank transfers."""

from __future__ import annotations

from admissions.core.sequences import next_number, next_numbers
from admissions.rules import creditor_reference

COUNTER_KEY = "payments:creditor-reference"


def new_creditor_reference() -> str:
    """A platform-wide unique ISO 11649 reference: "RF" + check digits + a 9-digit number.

    Digits only, so that a reference read out on the phone or typed by hand has its
    swapped neighbours caught by the check digits. Unique, not gapless: taken from a sequence
    that no other charge waits for.
    """
    return creditor_reference_of(next_number(COUNTER_KEY))


def creditor_reference_of(number: int) -> str:
    """The reference of number `number` of the sequence `COUNTER_KEY`."""
    return creditor_reference.make(f"{number:09d}")


def new_creditor_references(count: int) -> list[str]:
    """`count` creditor references at once, for charges made in bulk."""
    return [creditor_reference_of(n) for n in next_numbers(COUNTER_KEY, count)]
