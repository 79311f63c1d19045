"""Sum the ledger again into the fee totals the report reads and the files' balances."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from admissions.payments import fee_totals, file_balances


class Command(BaseCommand):
    help = (
        "Sum the ledger again per campaign, programme and charge (the report reads these rows)"
        " and per file (the balances pages read these)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = fee_totals.rebuild()
        self.stdout.write(f"{rows} fee totals written.")
        files = file_balances.rebuild()
        self.stdout.write(f"{files} file balances written.")
