"""`backup`: the database and every stored document in one archive (see docs/operations.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from admissions.core.backups import archive
from admissions.core.backups.manifest import BackupError


class Command(BaseCommand):
    help = "Write the database and the documents' storage to one archive with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="the archive to write, or a folder to write it in "
            "(default: VAR_DIR/backups/admissions-<UTC time>.tar)",
        )
        parser.add_argument(
            "--pg-bin-dir", help="folder of pg_dump, when it is not the one on the PATH"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"] or Path(settings.VAR_DIR) / "backups"
        if output.is_dir() or options["output"] is None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            output = output / f"admissions-{stamp}.tar"
        try:
            manifest = archive.create(
                output,
                connection=connection,
                storage=default_storage,
                pg_bin_dir=options["pg_bin_dir"],
                say=lambda message: self.stderr.write(message),
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"{output}: {manifest.vendor} database ({rows} rows in {len(manifest.counts)} "
            f"tables), {len(manifest.files)} files ({manifest.files_bytes} bytes), "
            f"version {manifest.version}"
        )
        for name in manifest.missing_files:
            self.stderr.write(f"warning: a row refers to {name}, which the storage does not hold")
