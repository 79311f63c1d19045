"""Platform-wide building blocks that belong to no single domain."""

from __future__ import annotations

from django.db import connection, models, transaction
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
        # No savepoint of its own: a failure here fails the caller's transaction anyway.
        with transaction.atomic(savepoint=False):
            number = cls._increment(key)
            if number is None:  # the first number of a key creates its row
                cls.objects.get_or_create(key=key)
                number = cls._increment(key)
            assert number is not None
            return number

    @classmethod
    def next_values(cls, keys: list[str]) -> list[int]:
        """The next value of each of `keys` (distinct), in one statement once their rows exist."""
        with transaction.atomic(savepoint=False):
            found = cls._increment_many(keys)
            missing = [key for key in keys if key not in found]
            if missing:  # the first number of a key creates its row
                for key in missing:
                    cls.objects.get_or_create(key=key)
                found |= cls._increment_many(missing)
            return [found[key] for key in keys]

    @classmethod
    def _increment_many(cls, keys: list[str]) -> dict[str, int]:
        if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35
            return {key: number for key in keys if (number := cls._increment(key)) is not None}
        table, quote = cls._meta.db_table, connection.ops.quote_name
        marks = ", ".join(["%s"] * len(keys))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote('value')} = {quote('value')} + 1 "  # noqa: S608 - names, not input
                f"WHERE {quote('key')} IN ({marks}) RETURNING {quote('key')}, {quote('value')}",
                keys,
            )
            return {str(key): int(value) for key, value in cursor.fetchall()}

    @classmethod
    def _increment(cls, key: str) -> int | None:
        """The counter's new value, in one statement that also locks its row."""
        if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35
            if not cls.objects.filter(key=key).update(value=F("value") + 1):
                return None
            return int(cls.objects.filter(key=key).values_list("value", flat=True).get())
        table, quote = cls._meta.db_table, connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote('value')} = {quote('value')} + 1 "  # noqa: S608 - names, not input
                f"WHERE {quote('key')} = %s RETURNING {quote('value')}",
                [key],
            )
            row = cursor.fetchone()
        return None if row is None else int(row[0])


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
