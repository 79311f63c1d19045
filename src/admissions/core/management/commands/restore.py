"""`restore`: put a backup archive back into an empty instance (see docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from admissions.core.backups import archive
from admissions.core.backups.manifest import BackupError


class Command(BaseCommand):
    help = (
        "Restore the database and documents of a backup archive into this instance, which "
        "must be empty (migrated at most) unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="an archive written by `backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database and every stored file of a non-empty instance",
        )
        parser.add_argument(
            "--pg-bin-dir", help="folder of pg_restore, when it is not the one on the PATH"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = archive.restore(
                options["archive"],
                connection=connection,
                storage=default_storage,
                force=options["force"],
                pg_bin_dir=options["pg_bin_dir"],
                say=lambda message: self.stderr.write(message),
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"restored {rows} rows in {len(manifest.counts)} tables and "
            f"{len(manifest.files)} files ({manifest.files_bytes} bytes), backed up at "
            f"{manifest.created_at} by version {manifest.version}. Run `migrate` next if this "
            "version is newer."
        )
