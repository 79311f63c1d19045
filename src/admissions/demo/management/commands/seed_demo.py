"""Demonstration data: open campaigns, staff for every role, candidates at several stages.

Safe to run again: what exists is left as it is.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from admissions.demo.accounts import DEMO_PASSWORD, create_staff
from admissions.demo.campaigns import load_demo_campaign
from admissions.demo.candidates import create_candidates
from admissions.demo.jury import create_jury_session
from admissions.rulebooks import preset_path
from admissions.rules.deadlines import paris_date

PRESETS = ["imt-bs", "imt-nord-europe"]


class Command(BaseCommand):
    help = "Load demonstration campaigns, staff and candidates (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = paris_date(timezone.now())
        for preset in PRESETS:
            report = load_demo_campaign(preset_path(preset), today)
            self.stdout.write(f"{report.institution} {report.campaign}: {report.summary()}")
        with transaction.atomic():
            staff = create_staff()
            candidates = create_candidates(lambda line: self.stderr.write(line))
            candidates += create_jury_session(lambda line: self.stderr.write(line))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, role, institution in staff:
            self.stdout.write(f"  {email:45} {role} ({institution})")
        for email, stage in candidates:
            self.stdout.write(f"  {email:45} candidate: {stage}")
