"""Platform-wide building blocks that belong to no single domain."""

from __future__ import annotations

from django.db import models, transaction


class Counter(models.Model):
    """A named gapless counter (file references, receipt and invoice numbers).

    `next_value` locks the row, so two transactions never get the same number and a rolled
    back transaction gives its number back.
    """

    key = models.CharField(max_length=120, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    @classmethod
    def next_value(cls, key: str) -> int:
        with transaction.atomic():
            cls.objects.get_or_create(key=key)
            counter = cls.objects.select_for_update().get(key=key)
            counter.value += 1
            counter.save(update_fields=["value"])
            return counter.value
