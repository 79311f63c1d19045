"""Amounts of money: Decimal euros in rulebooks, integer cents everywhere they are stored."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")
# No fee comes near it; past it, cents would no longer fit the 64-bit columns they are
# stored in, and Decimal's 28 digits could no longer hold the amount to the cent.
MAX_AMOUNT = Decimal(10) ** 12


class AmountError(ValueError):
    pass


def parse_amount(value: object) -> Decimal:
    """Read an amount in EUR written as "7500", "7500.00", "7 500,00" or an integer.

    Floats are refused because TOML floats are binary and 0.1 + 0.2 is not 0.3.
    """
    if isinstance(value, bool):
        raise AmountError(f"expected an amount in EUR, got {value!r}")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        text = text.removesuffix("EUR").removesuffix("€").strip().replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise AmountError(f'expected an amount in EUR, got "{value}"') from None
    else:
        raise AmountError(f"expected an amount in EUR, got {value!r}")
    if not amount.is_finite():
        raise AmountError(f'expected an amount in EUR, got "{value}"')
    if amount < 0:
        raise AmountError(f"expected a positive amount in EUR, got {value!r}")
    if amount >= MAX_AMOUNT:
        raise AmountError(f"expected an amount below {MAX_AMOUNT:,} EUR, got {value!r}")
    if amount != amount.quantize(CENT):
        raise AmountError(f"expected at most two decimals (cents), got {value!r}")
    return amount.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_eur(cents: int, language: str = "fr") -> str:
    """12345678 -> "123 456,78 €" in French, "€123,456.78" in English."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}"
    if language == "fr":
        whole = grouped.replace(",", "\u202f")
        return f"{sign}{whole},{rest:02d}\u00a0€" if rest else f"{sign}{whole}\u00a0€"
    return f"{sign}€{grouped}.{rest:02d}" if rest else f"{sign}€{grouped}"
