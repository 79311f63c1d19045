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


class ScheduledJob(models.Model):
    """The lock and timetable of one periodic job, shared by every machine of a site.

    A machine runs the job only after claiming this row with a conditional UPDATE (free
    lock, run due); the claim expires at `locked_until`, so a machine that died while
    holding it blocks the job for one lease at most. See `core.scheduler`.
    """

    name = models.CharField(max_length=80, unique=True)
    holder = models.CharField(max_length=120, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
