"""An institution's bank account changed from the back office, with its own permission.

The account is part of each rulebook of the institution (`bank_account`). A change writes a
new version of the institution's rules and of each of its campaigns' rules, checked as a
rulebook file is; the versions before stay kept by digest (`catalog.RulebookVersion`), so a
submitted file still reads the rules it was sent under. Where money goes, though, is the
institution's current account: transfer instructions, receipts, SEPA files and the bank
statements' check read the campaign's or the institution's rules as they are now
(`Application.bank_account`).

Only an administrator of the institution who also holds `BankDetailsPermission` for it may
change it, and only with a second factor given at that moment (checked by the caller,
`people.second_factor.confirm_fresh`). Each change is one `BankDetailsChange` row with the
old and new values masked, and the institution's other administrators are emailed.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from admissions.catalog.models import Campaign, Institution
from admissions.catalog.services import keep_version
from admissions.core.errors import NotAllowed, ValidationFailed
from admissions.notify.staff_account_emails import send_bank_details_changed
from admissions.people.bank_rights import BankDetailsChange, BankDetailsPermission
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import administers
from admissions.rules.rulebook import RulebookError, validate_rulebook
from admissions.rules.schema import BankAccount

FIELDS = ("holder", "holder_address", "iban", "bic", "bank_name", "bank_address", "phone")


def may_change(user: User, institution_id: int) -> bool:
    """An administrator of the institution who was also granted the right, by name."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not StaffRole.objects.filter(
        user=user, role=Role.INSTITUTION_ADMIN, institution_id=institution_id
    ).exists():
        return False
    return BankDetailsPermission.objects.filter(user=user, institution_id=institution_id).exists()


def mask_iban(iban: str) -> str:
    """The country, check digits and last four characters: enough to tell two apart."""
    compact = "".join(iban.split()).upper()
    if len(compact) < 8:
        return "•" * len(compact)
    return f"{compact[:4]} •••• {compact[-4:]}"


def checked_account(values: dict[str, str]) -> BankAccount:
    """The new account, checked by the rulebook's own validators (the RIB key included)."""
    try:
        return BankAccount.model_validate({key: values.get(key, "") for key in FIELDS})
    except ValidationError as error:
        problems = {
            str(problem["loc"][0]): _("Enter a valid IBAN.")
            if problem["loc"][0] == "iban"
            else _("Enter a valid BIC.")
            if problem["loc"][0] == "bic"
            else _("This field is required.")
            for problem in error.errors()
        }
        raise ValidationFailed(
            _("The bank details are not valid."), details={"fields": problems}
        ) from None


def current_account(institution: Institution) -> BankAccount | None:
    return institution.rules.bank_account


def _with_account(data: dict[str, Any], account: BankAccount, source: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    changed["bank_account"] = account.model_dump(mode="json")
    try:
        return validate_rulebook(changed, source=source).data
    except RulebookError as refused:
        raise ValidationFailed(
            _("The rules refuse this change."), details={"problems": refused.problems}
        ) from None


def change_bank_details(
    institution: Institution,
    *,
    by: User,
    values: dict[str, str],
    confirmed_by: str,
) -> BankDetailsChange:
    """Write the new account into every rulebook of `institution`, keeping the old versions."""
    if not administers(by, institution.pk) or not may_change(by, institution.pk):
        raise NotAllowed(_("You may not change this institution's bank details."))
    account = checked_account(values)
    with transaction.atomic():
        locked = Institution.objects.select_for_update().get(pk=institution.pk)
        old = locked.rules.bank_account
        if old is not None and old.model_dump() == account.model_dump():
            raise ValidationFailed(_("Nothing was changed."))
        locked.rulebook = _with_account(locked.rulebook, account, locked.slug)
        locked.save(update_fields=["rulebook", "updated_at"])
        for campaign in Campaign.objects.select_for_update().filter(institution=locked):
            keep_version(campaign)  # the version its submitted files keep
            campaign.rulebook = _with_account(campaign.rulebook, account, campaign.slug)
            campaign.save(update_fields=["rulebook"])
            keep_version(campaign)
        change = BankDetailsChange.objects.create(
            institution=locked,
            by=by,
            at=timezone.now(),
            old_iban=mask_iban(old.iban) if old else "",
            new_iban=mask_iban(account.iban),
            old_bic=old.bic if old else "",
            new_bic=account.bic,
            old_holder=old.holder if old else "",
            new_holder=account.holder,
            confirmed_by=confirmed_by,
        )
        others = User.objects.filter(
            is_active=True,
            pk__in=StaffRole.objects.filter(institution=locked, role=Role.INSTITUTION_ADMIN).values(
                "user_id"
            ),
        ).exclude(pk=by.pk)
        for admin in others.order_by("pk"):
            send_bank_details_changed(admin, change, institution=locked, by=by)
    institution.refresh_from_db()
    institution.__dict__.pop("rules", None)
    return change
