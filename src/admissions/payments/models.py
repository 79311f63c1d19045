"""The ledger: immutable entries per application; balances are sums, never stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from admissions.rules.vocabulary import ChargeKind


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    WRITE_OFF = "write_off", _("Write-off")


class Method(models.TextChoices):
    CARD = "card", _("Card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    SEPA_DIRECT_DEBIT = "sepa_direct_debit", _("SEPA direct debit")
    RECORDED_BY_STAFF = "recorded_by_staff", _("Recorded by staff")


# Effect of each entry on what the candidate owes.
SIGN = {
    EntryKind.CHARGE: 1,
    EntryKind.PAYMENT: -1,
    EntryKind.REFUND: 1,
    EntryKind.WRITE_OFF: -1,
}


class LedgerEntry(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    charge_kind = models.CharField(max_length=40, choices=[(c.value, c.value) for c in ChargeKind])
    instalment = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    method = models.CharField(max_length=24, choices=Method.choices, blank=True)
    # The provider's or bank's id of the money movement; unique so a replay records nothing.
    external_id = models.CharField(max_length=120, null=True, blank=True, unique=True)
    reference = models.CharField(max_length=40, blank=True, db_index=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="ledger_amount_positive"
            )
        ]
        indexes = [models.Index(fields=["application", "charge_kind"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.charge_kind} {self.amount_cents}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are immutable: record a correcting entry instead")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger entries are immutable: record a correcting entry instead")

    @property
    def signed_cents(self) -> int:
        return SIGN[EntryKind(self.kind)] * self.amount_cents
