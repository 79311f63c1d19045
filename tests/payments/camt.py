"""camt.053 fixtures with the references of the charges under test filled in."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from string import Template

from admissions.rules import creditor_reference

FOLDER = Path(__file__).parent / "fixtures" / "camt053"
NORD_IBAN = "FR7610071590000000102433444"


def statement(name: str, reference: str = "RF18539007547034", **values: str) -> bytes:
    text = Template((FOLDER / name).read_text(encoding="utf-8")).substitute(
        iban=values.pop("iban", NORD_IBAN),
        reference=reference,
        printed=creditor_reference.printed(reference).lower(),
        other_reference=values.pop("other_reference", "RF712348231"),
        **values,
    )
    return text.encode("utf-8")


def bank_sample(
    name: str,
    *,
    everywhere: dict[str, str] | None = None,
    once: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A statement written by a bank (see fixtures/camt053/README.md) with the account, the
    currency, the remittance lines... of the tests: `everywhere` replaces every occurrence,
    each pair of `once` the first one left, in order."""
    text = (FOLDER / name).read_text(encoding="utf-8")
    for old, new in (everywhere or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    for old, new in once:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text.encode("utf-8")
