"""SEPA direct-debit mandates: signed by the payer for a file's tuition instalments."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.payments import history
from admissions.payments.errors import IllegalMoveError, InvalidBankDetails
from admissions.payments.models import Mandate, MandateStatus
from admissions.people.models import User
from admissions.rules.deadlines import paris_date


def checked_iban(value: str) -> str:
    """The IBAN in electronic form, national key included; a clear error otherwise."""
    # schwifty loads its bank registries (about 13 MiB) when imported: only where an
    # account is checked, not in every web process.
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        iban = IBAN(value, validate_bban=True)
    except SchwiftyException:
        raise InvalidBankDetails(
            _("This IBAN is not valid: check the digits and the country code."),
            details={"field": "iban"},
        ) from None
    if not iban.in_sepa_zone:
        raise InvalidBankDetails(
            _("Direct debits need an account in the SEPA area."), details={"field": "iban"}
        )
    return str(iban.compact)


def checked_bic(value: str, iban: str) -> str:
    """The BIC given, or the one of the IBAN's bank when it is known; may be empty."""
    from schwifty import BIC, IBAN  # as in checked_iban
    from schwifty.exceptions import SchwiftyException

    text = value.strip().replace(" ", "").upper()
    if not text:
        known = IBAN(iban).bic
        return str(known.compact) if known is not None else ""
    try:
        return str(BIC(text).compact)
    except SchwiftyException:
        raise InvalidBankDetails(_("This BIC is not valid."), details={"field": "bic"}) from None


def _mandate_reference(application: Application) -> str:
    count = Mandate.objects.filter(application=application).count()
    base = re.sub(r"[^A-Za-z0-9-]", "", application.reference)[:30]
    return f"{base}-M{count + 1}"


def sign_mandate(
    application: Application,
    *,
    holder: str,
    iban: str,
    bic: str = "",
    by: User,
    signed_on: dt.date | None = None,
) -> Mandate:
    """Record a mandate; it replaces the file's active one, which is revoked."""
    holder = " ".join(holder.split())
    if not holder:
        raise InvalidBankDetails(_("Give the account holder's name."), details={"field": "holder"})
    compact = checked_iban(iban)
    bic_code = checked_bic(bic, compact)
    with transaction.atomic():
        locked = history.lock_application(application.pk)
        previous = Mandate.objects.filter(application=locked, status=MandateStatus.ACTIVE)
        for old in previous:
            _revoke(old, by=by, application=locked)
        mandate = Mandate.objects.create(
            application=locked,
            reference=_mandate_reference(locked),
            holder=holder[:70],
            iban=compact,
            bic=bic_code,
            signed_on=signed_on or paris_date(timezone.now()),
            created_by=by,
        )
        history.record(
            locked,
            action="payment.mandate_signed",
            by=by,
            details={"mandate": mandate.reference, "iban": mandate.masked_iban},
        )
    return mandate


def _revoke(mandate: Mandate, *, by: User, application: Application) -> None:
    mandate.status = MandateStatus.REVOKED
    mandate.revoked_at = timezone.now()
    mandate.save(update_fields=["status", "revoked_at"])
    history.record(
        application,
        action="payment.mandate_revoked",
        by=by,
        details={"mandate": mandate.reference},
    )


def revoke_mandate(mandate: Mandate, *, by: User) -> Mandate:
    with transaction.atomic():
        application = history.lock_application(mandate.application_id)
        locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if locked.status != MandateStatus.ACTIVE:
            raise IllegalMoveError(_("This mandate is already revoked."), code="mandate_revoked")
        _revoke(locked, by=by, application=application)
    return locked


def active_mandate(application_id: int) -> Mandate | None:
    return Mandate.objects.filter(
        application_id=application_id, status=MandateStatus.ACTIVE
    ).first()
