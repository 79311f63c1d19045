"""The idempotent periodic jobs: run every few minutes by cron, a scheduler or `serve`.

Each job selects by date and status and does nothing the second time, so running this
command often, late or twice at once is safe.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from admissions.documents.housekeeping import run_upkeep
from admissions.workflow.confirmation import lapse_overdue
from admissions.workflow.declared_transfers import flag_unmatched, sweep_fee_awaited


class Command(BaseCommand):
    help = (
        "Release places not confirmed in time; flag declared fee transfers still unmatched; "
        "rescan and clean documents."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        released = lapse_overdue()
        self.stdout.write(f"places released: {', '.join(released) or 'none'}")
        moved = sweep_fee_awaited()
        self.stdout.write(f"fee-awaited files moved on: {', '.join(moved) or 'none'}")
        flagged = flag_unmatched()
        self.stdout.write(f"declared transfers flagged: {', '.join(flagged) or 'none'}")
        upkeep = run_upkeep()
        rescanned = ", ".join(f"{status}: {count}" for status, count in upkeep.rescanned.items())
        self.stdout.write(
            f"documents rescanned ({rescanned or 'none'}); abandoned uploads deleted: "
            f"{upkeep.incoming_deleted}; quarantined files deleted: {upkeep.quarantine_deleted}"
        )
