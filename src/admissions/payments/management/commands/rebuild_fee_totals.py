"""Sum the ledger again into the fee totals the report reads."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from admissions.payments.fee_totals import rebuild


class Command(BaseCommand):
    help = "Sum the ledger again per campaign, programme and charge (the report reads these rows)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = rebuild()
        self.stdout.write(f"{rows} fee totals written.")
