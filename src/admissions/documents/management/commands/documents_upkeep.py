from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from admissions.documents.housekeeping import run_upkeep


class Command(BaseCommand):
    help = (
        "Scan again the documents whose antivirus scan failed, delete abandoned uploads and "
        "expired quarantined files. Run it every few minutes (cron or a scheduler)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        upkeep = run_upkeep()
        rescanned = ", ".join(f"{status}: {count}" for status, count in upkeep.rescanned.items())
        self.stdout.write(
            f"rescanned ({rescanned or 'none'}); abandoned uploads deleted: "
            f"{upkeep.incoming_deleted}; quarantined files deleted: {upkeep.quarantine_deleted}; "
            f"files no row names deleted: {upkeep.orphans_deleted}"
        )
