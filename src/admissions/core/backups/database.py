"""Copying the database out and back in, one way per engine.

SQLite: the online backup API, page by page, consistent while the site writes. PostgreSQL:
pg_dump in the custom format, from a snapshot the caller exported so that the figures of the
manifest come from the same instant; pg_restore in one transaction, replacing what the
target holds.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

from admissions.core.backups.manifest import BackupError

SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.dump"


def vendor(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"no backup method for the {connection.vendor} database engine")
    return str(connection.vendor)


def member(vendor_name: str) -> str:
    return SQLITE_MEMBER if vendor_name == "sqlite" else POSTGRES_MEMBER


def copy_sqlite(connection: BaseDatabaseWrapper, target: Path) -> None:
    connection.ensure_connection()
    copied = sqlite3.connect(target)
    try:
        connection.connection.backup(copied)
        # One self-contained file, whatever the journal mode of the live database.
        copied.execute("PRAGMA journal_mode=DELETE")
    finally:
        copied.close()


def load_sqlite(connection: BaseDatabaseWrapper, source: Path) -> None:
    connection.close()
    name = str(connection.settings_dict["NAME"])
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(source)
    target = sqlite3.connect(name)
    try:
        origin.backup(target)
    finally:
        target.close()
        origin.close()


def _program(name: str, bin_dir: str | None) -> str:
    found = shutil.which(name, path=bin_dir) if bin_dir else shutil.which(name)
    if found is None:
        where = f" in {bin_dir}" if bin_dir else " on the PATH"
        raise BackupError(
            f"{name} not found{where}: install PostgreSQL's client programs (Debian: "
            "postgresql-client) of the server's major version or newer"
        )
    return found


def _environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's variables for the configured database: no password on a command line."""
    config = connection.settings_dict
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", config.get("HOST")),
        ("PGPORT", config.get("PORT")),
        ("PGUSER", config.get("USER")),
        ("PGPASSWORD", config.get("PASSWORD")),
        ("PGDATABASE", config.get("NAME")),
        ("PGSSLMODE", (config.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            environment[variable] = str(value)
    return environment


def _run(command: list[str], connection: BaseDatabaseWrapper) -> None:
    done = subprocess.run(  # noqa: S603 - PostgreSQL's own programs, found on the PATH
        command, env=_environment(connection), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {(done.stderr or done.stdout).strip()}")


def dump_postgres(
    connection: BaseDatabaseWrapper, target: Path, *, snapshot: str, bin_dir: str | None
) -> None:
    command = [_program("pg_dump", bin_dir), "--format=custom", f"--snapshot={snapshot}"]
    _run([*command, f"--file={target}", str(connection.settings_dict["NAME"])], connection)


def load_postgres(connection: BaseDatabaseWrapper, source: Path, *, bin_dir: str | None) -> None:
    connection.close()
    command = [
        _program("pg_restore", bin_dir),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    _run([*command, str(source)], connection)
