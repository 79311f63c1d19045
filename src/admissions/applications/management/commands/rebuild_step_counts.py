"""Count the files at each step of each programme again, from the files themselves."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from admissions.applications.step_counts import rebuild


class Command(BaseCommand):
    help = "Count the files per programme and status again (the staff's home reads these rows)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = rebuild()
        self.stdout.write(f"{rows} step counts written.")
