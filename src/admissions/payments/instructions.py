"""What a candidate needs to pay a charge by bank transfer."""

from __future__ import annotations

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
    # schwifty loads its bank registries (about 13 MiB) when imported: only where an
    # account is checked, not in every web process.
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        iban = IBAN(account.iban, validate_bban=True)
        bic = BIC(account.bic)
    except SchwiftyException:
        raise InvalidBankDetails(
            _("The school's bank details cannot be shown: please contact the school.")
        ) from None
    return BankDetails(
        holder=account.holder,
        holder_address=account.holder_address,
        iban=str(iban.formatted),
        bic=str(bic.compact),
        bank_name=account.bank_name,
        bank_address=account.bank_address,
    )
