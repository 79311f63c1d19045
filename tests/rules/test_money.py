"""Amounts read from rulebooks and staff forms."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules.money import MAX_AMOUNT, AmountError, parse_amount, to_cents


@pytest.mark.parametrize(
    "text", ["1E26", "1e400", "9" * 40, "1000000000000", "1 000 000 000 000,00"]
)
def test_an_amount_past_the_ceiling_is_refused_with_an_amount_error(text: str) -> None:
    # "1E26" made Decimal's quantize raise InvalidOperation, a crash of the fees form.
    with pytest.raises(AmountError):
        parse_amount(text)


def test_the_largest_amount_keeps_its_cents() -> None:
    largest = MAX_AMOUNT - Decimal("0.01")
    assert parse_amount(str(largest)) == largest
    assert to_cents(largest) == 10**14 - 1 < 2**63


@given(st.text(max_size=40))
def test_any_text_is_an_amount_or_an_amount_error(text: str) -> None:
    try:
        amount = parse_amount(text)
    except AmountError:
        return
    assert Decimal(0) <= amount < MAX_AMOUNT
    assert amount == amount.quantize(Decimal("0.01"))
