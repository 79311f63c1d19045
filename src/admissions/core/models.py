"""Platform-wide building blocks that belong to no single domain."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F


class Counter(models.Model):
    """A named gapless counter (receipt and invoice numbers).

    `next_value` locks the row until the transaction ends, so two transactions never get the
    same number and a rolled back transaction gives its number back; the price is that they
    take their numbers one after the other. Numbers that may have gaps come from
    `core.sequences`, which never waits.
    """

    key = models.CharField(max_length=120, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    @classmethod
    def next_value(cls, key: str) -> int:
        with transaction.atomic():
            # The UPDATE locks the row; the first number of a key creates it.
            if not cls.objects.filter(key=key).update(value=F("value") + 1):
                cls.objects.get_or_create(key=key)
                cls.objects.filter(key=key).update(value=F("value") + 1)
            return int(cls.objects.filter(key=key).values_list("value", flat=True).get())
