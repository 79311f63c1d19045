"""`load_rulebook FILE [FILE...]`: check rulebooks and load them into the catalogue.

Every file is checked before anything is written; if one is refused, its problems are
printed, nothing at all is loaded and the command exits with status 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from admissions.catalog.services import Action, LoadReport, load_rulebook
from admissions.rules.rulebook import LoadedRulebook, RulebookError, read_rulebook


class Command(BaseCommand):
    help = (
        "Check rulebook TOML files and load them into the catalogue (institution, sites, "
        "programmes, campaign, jury sessions). Loading the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["files"]
        verbosity = int(options["verbosity"])
        loaded: list[LoadedRulebook] = []
        refused: list[RulebookError] = []
        for path in files:
            try:
                loaded.append(read_rulebook(path))
            except RulebookError as error:
                refused.append(error)
        if refused:
            for refusal in refused:
                self.stderr.write(str(refusal))
            raise CommandError(
                f"{len(refused)} of {len(files)} rulebook file(s) refused; nothing was loaded."
            )
        with transaction.atomic():
            reports = [load_rulebook(item) for item in loaded]
        for report in reports:
            self._print(report, verbosity)

    def _print(self, report: LoadReport, verbosity: int) -> None:
        self.stdout.write(
            f"{report.source}: institution {report.institution}, campaign {report.campaign}"
        )
        if verbosity >= 1:
            for change in report.changes:
                detail = f" ({', '.join(change.fields)})" if change.fields else ""
                line = f"  {change.action.value:<11} {change.kind} {change.key}{detail}"
                self.stdout.write(self._styled(change.action, line))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
        self.stdout.write(f"  {report.summary()}")

    def _styled(self, action: Action, line: str) -> str:
        if action == Action.UNCHANGED:
            return line
        if action == Action.DEACTIVATED:
            return str(self.style.NOTICE(line))
        return str(self.style.SUCCESS(line))
