"""Who may change an institution's bank details, and each change made.

Changing where candidates' money goes is a right of its own: granted by name to an
institution administrator (in the administration site), never implied by the role.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BankDetailsPermission(models.Model):
    """`user` may change the bank details of `institution` (if they also administer it)."""

    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution"], name="bank_details_permission_unique"
            )
        ]
        verbose_name = _("permission to change bank details")
        verbose_name_plural = _("permissions to change bank details")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.institution_id}"


class BankDetailsChange(models.Model):
    """One change of an institution's bank account: who, when, the old and new values masked."""

    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, related_name="bank_details_changes"
    )
    by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    old_iban = models.CharField(_("old IBAN (masked)"), max_length=40, blank=True)
    new_iban = models.CharField(_("new IBAN (masked)"), max_length=40)
    old_bic = models.CharField(_("old BIC"), max_length=11, blank=True)
    new_bic = models.CharField(_("new BIC"), max_length=11)
    old_holder = models.CharField(_("old holder"), max_length=200, blank=True)
    new_holder = models.CharField(_("new holder"), max_length=200)
    # How the second factor was given at the moment of the change: "totp" or "reauthenticated".
    confirmed_by = models.CharField(max_length=20)

    class Meta:
        indexes = [
            models.Index(fields=["institution", "-at", "-id"], name="bank_change_order"),
        ]
        verbose_name = _("bank details change")
        verbose_name_plural = _("bank details changes")

    def __str__(self) -> str:
        return f"{self.institution_id} {self.at:%Y-%m-%d %H:%M}"
