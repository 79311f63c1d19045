"""Writing a backup archive, and restoring one into an empty instance."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import io
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from admissions.core.backups import database, files, inventory
from admissions.core.backups.manifest import (
    CHUNK,
    FILES,
    NAME,
    BackupError,
    HashingReader,
    Manifest,
    StoredFile,
    digest,
)

Say = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


def _version() -> str:
    try:
        return importlib.metadata.version("admissions")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class _Snapshot:
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    referenced: set[str]


def _snapshot_sqlite(copy: Path) -> _Snapshot:
    copied = sqlite3.connect(copy)
    try:
        cursor = copied.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        present = [str(row[0]) for row in cursor.fetchall()]
        return _Snapshot(
            inventory.applied_migrations(cursor),
            inventory.counts(cursor, present),
            inventory.referenced_files(cursor, present),
        )
    finally:
        copied.close()


def _dump(connection: BaseDatabaseWrapper, target: Path, bin_dir: str | None) -> _Snapshot:
    """Copy the database to `target`; the figures of the same instant."""
    if connection.vendor == "sqlite":
        database.copy_sqlite(connection, target)
        return _snapshot_sqlite(target)
    if connection.in_atomic_block:
        raise BackupError("a backup runs outside any transaction, to take a snapshot of its own")
    present = inventory.live_tables(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # pg_dump reads the snapshot of this transaction: the counts below are of its instant.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchall()[0][0])
        database.dump_postgres(connection, target, snapshot=snapshot, bin_dir=bin_dir)
        return _Snapshot(
            inventory.applied_migrations(cursor),
            inventory.counts(cursor, present),
            inventory.referenced_files(cursor, present),
        )


def _add(tar: tarfile.TarFile, name: str, stream: IO[bytes], size: int) -> HashingReader:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    reader = HashingReader(stream)
    tar.addfile(info, reader)
    return reader


def create(
    output: Path,
    *,
    connection: BaseDatabaseWrapper,
    storage: Storage,
    pg_bin_dir: str | None = None,
    say: Say = _quiet,
) -> Manifest:
    """Write the database and every stored file to the archive `output`.

    The database is copied first, then the files: every row of the copy finds its file, since
    a file is stored before the row that names it is committed. A file deleted in between is
    listed in the manifest's `missing_files` only if the copy refers to it.
    """
    vendor = database.vendor(connection)
    member = database.member(vendor)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    with tempfile.TemporaryDirectory(dir=output.parent) as folder:
        copy = Path(folder) / member
        say(f"copying the {vendor} database")
        snapshot = _dump(connection, copy, pg_bin_dir)
        with copy.open("rb") as stream:
            database_size, database_sha = digest(stream)
        manifest = Manifest(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            version=_version(),
            vendor=vendor,
            database_member=member,
            database_size=database_size,
            database_sha256=database_sha,
            migrations=snapshot.migrations,
            counts=snapshot.counts,
        )
        with tarfile.open(partial, "w") as tar:
            with copy.open("rb") as stream:
                _add(tar, member, stream, database_size)
            say("copying the stored files")
            for name in files.names(storage):
                try:
                    size = storage.size(name)
                    with storage.open(name, "rb") as stream:
                        reader = _add(tar, FILES + name, stream, size)
                except FileNotFoundError:  # deleted since it was listed
                    continue
                manifest.files.append(StoredFile(name, reader.size, reader.sha256))
            kept = {stored.name for stored in manifest.files}
            manifest.missing_files = sorted(snapshot.referenced - kept)
            body = manifest.to_json()
            _add(tar, NAME, io.BytesIO(body), len(body))
        os.replace(partial, output)
    return manifest


def read_manifest(path: Path) -> Manifest:
    try:
        with tarfile.open(path, "r:") as tar:
            found = tar.extractfile(NAME)
            if found is None:
                raise KeyError(NAME)
            return Manifest.from_json(found.read())
    except (OSError, tarfile.TarError, KeyError) as error:
        raise BackupError(f"{path} is not a backup archive: {error}") from None


def _check_contents(path: Path, manifest: Manifest) -> None:
    """Every member is there, whole: nothing is restored from a damaged archive."""
    expected = {FILES + stored.name: (stored.size, stored.sha256) for stored in manifest.files}
    expected[manifest.database_member] = (manifest.database_size, manifest.database_sha256)
    with tarfile.open(path, "r:") as tar:
        for info in tar:
            if info.name == NAME:
                continue
            if info.name not in expected:
                raise BackupError(f"the archive holds {info.name}, unlisted in its manifest")
            stream = tar.extractfile(info)
            if stream is None or digest(stream) != expected.pop(info.name):
                raise BackupError(f"{info.name} is damaged: its size or checksum differs")
    if expected:
        raise BackupError(f"the archive lacks {len(expected)} members, e.g. {min(expected)}")


def _check_migrations(manifest: Manifest) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"the backup was made by a newer version ({manifest.version}): migration "
            f"{unknown[0]} is unknown here. Install that version to restore it."
        )


def refusal_if_not_empty(connection: BaseDatabaseWrapper, storage: Storage) -> str:
    """Why this instance is not empty, or "" when it is."""
    rows = inventory.rows_beyond_migrate(connection)
    stored = next(files.names(storage), None)
    reasons = []
    if rows:
        listed = ", ".join(f"{table} ({count})" for table, count in sorted(rows.items())[:5])
        reasons.append(f"the database holds rows in {len(rows)} tables: {listed}")
    if stored is not None:
        reasons.append(f"the storage holds files, e.g. {stored}")
    return "; ".join(reasons)


def _load_database(
    path: Path, manifest: Manifest, connection: BaseDatabaseWrapper, bin_dir: str | None
) -> None:
    with tempfile.TemporaryDirectory() as folder, tarfile.open(path, "r:") as tar:
        source = tar.extractfile(manifest.database_member)
        assert source is not None  # checked by _check_contents
        copy = Path(folder) / manifest.database_member
        with copy.open("wb") as target:
            while chunk := source.read(CHUNK):
                target.write(chunk)
        if manifest.vendor == "sqlite":
            database.load_sqlite(connection, copy)
        else:
            database.load_postgres(connection, copy, bin_dir=bin_dir)


def _load_files(path: Path, manifest: Manifest, storage: Storage) -> None:
    wanted = {stored.name for stored in manifest.files}
    # A forced restore leaves the storage as it was at backup time.
    for name in list(files.names(storage)):
        storage.delete(name)
    with tarfile.open(path, "r:") as tar:
        for info in tar:
            if not info.name.startswith(FILES):
                continue
            name = info.name.removeprefix(FILES)
            stream = tar.extractfile(info)
            if stream is None or name not in wanted:  # checked by _check_contents
                raise BackupError(f"the archive changed while it was restored: {info.name}")
            saved = storage.save(name, File(stream, name=name))
            if saved != name:
                raise BackupError(f"the storage kept {name} as {saved}")


def restore(
    path: Path,
    *,
    connection: BaseDatabaseWrapper,
    storage: Storage,
    force: bool = False,
    pg_bin_dir: str | None = None,
    say: Say = _quiet,
) -> Manifest:
    """Put the archive's database and files into this instance, which must be empty unless
    `force`; then check every table's row count against the manifest."""
    manifest = read_manifest(path)
    vendor = database.vendor(connection)
    if manifest.vendor != vendor:
        raise BackupError(
            f"the backup holds a {manifest.vendor} database; this instance uses {vendor}"
        )
    _check_migrations(manifest)
    if not force:
        reason = refusal_if_not_empty(connection, storage)
        if reason:
            raise BackupError(
                f"this instance is not empty ({reason}). Restore into an empty instance, or "
                "give --force to replace everything it holds."
            )
    say("checking the archive")
    _check_contents(path, manifest)
    say(f"restoring the {vendor} database")
    _load_database(path, manifest, connection, pg_bin_dir)
    say("restoring the stored files")
    _load_files(path, manifest, storage)
    with connection.cursor() as cursor:
        found = inventory.counts(cursor, inventory.live_tables(connection))
    differ = [table for table, count in manifest.counts.items() if found.get(table) != count]
    if differ:
        table = differ[0]
        raise BackupError(
            f"after the restore, {table} holds {found.get(table)} rows instead of "
            f"{manifest.counts[table]}"
        )
    return manifest
