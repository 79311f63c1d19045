"""Count the report's totals again from the files' history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from admissions.applications.report_counts import rebuild


class Command(BaseCommand):
    help = (
        "Count the files per step reached, the days spent in each step and the moves of the "
        "waiting lists again from the history (the report reads these rows)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = rebuild()
        self.stdout.write(f"{rows} report counts written.")
