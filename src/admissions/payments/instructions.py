"""What a candidate needs to pay a charge by bank transfer."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.utils.translation import gettext as _

from admissions.payments.errors import InvalidBankDetails
from admissions.rules.schema import BankAccount


@dataclass(frozen=True)
class BankDetails:
    holder: str
    holder_address: str
    iban: str  # printed form, in groups of four
    bic: str
    bank_name: str
    bank_address: str


def bank_details(account: BankAccount | None) -> BankDetails | None:
    """The institution's account, checked again here (national key included) because a
    wrong digit on this page sends a candidate's money astray."""
    if account is None:
        return None
    checked = _checked(account.iban, account.bic)
    if checked is None:
        raise InvalidBankDetails(
            _("The school's bank details cannot be shown: please contact the school.")
        )
    iban, bic = checked
    return BankDetails(
        holder=account.holder,
        holder_address=account.holder_address,
        iban=iban,
        bic=bic,
        bank_name=account.bank_name,
        bank_address=account.bank_address,
    )


@functools.lru_cache(maxsize=256)
def _checked(iban: str, bic: str) -> tuple[str, str] | None:
    """The printed IBAN and BIC, None if either is wrong. The verdict depends on the two
    values alone: each account is checked once per process, not on every page or email."""
    # schwifty loads its bank registries (about 13 MiB) when imported: only where an
    # account is checked, not in every web process.
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        return str(IBAN(iban, validate_bban=True).formatted), str(BIC(bic).compact)
    except SchwiftyException:
        return None
