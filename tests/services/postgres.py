"""A throw-away PostgreSQL cluster started from the installed server binaries.

PostgreSQL refuses to run as root, and CI runs as root: there the cluster's folder belongs
to the `postgres` system user and the server programs run through `runuser`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.base import LOOPBACK, free_port, tail, unavailable

SUPERUSER = "postgres"
START_ATTEMPTS = 3


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/{database}"


def server_bin_dir() -> Path | None:
    """The newest installed server's bin folder (Debian keeps one per major version)."""
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not candidates:
        return None
    newest = max(candidates, key=lambda path: int(Path(path).parent.parent.name))
    return Path(newest).parent


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if runuser is None:
        unavailable("runuser not found: needed to run PostgreSQL as the postgres user")
    return [str(runuser), "-u", SUPERUSER, "--"]


def _run(command: list[str], *, timeout: float) -> None:
    done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace")
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{output}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = server_bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL server binaries not found: install the Debian package postgresql")
        raise AssertionError("unreachable")  # pragma: no cover
    prefix = _as_server_user()
    owner = None
    if prefix:
        try:
            owner = pwd.getpwnam(SUPERUSER)
        except KeyError:
            unavailable("no postgres system user: install the Debian package postgresql")
    root = Path(tempfile.mkdtemp(prefix="admissions-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, log = root / "data", root / "server.log"
    pg_ctl = [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data)]
    port: int | None = None
    try:
        initdb = [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER]
        options = ["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]
        _run([*initdb, *options], timeout=120)
        port = _start(pg_ctl, log)
        yield PostgresServer(host=LOOPBACK, port=port, user=SUPERUSER)
    finally:
        try:
            if port is not None:
                _run([*pg_ctl, "-m", "fast", "-w", "-t", "60", "stop"], timeout=90)
        finally:
            shutil.rmtree(root, ignore_errors=True)


def _start(pg_ctl: list[str], log: Path) -> int:
    """Start on a free port; try another if something took the port in the meantime."""
    for attempt in range(1, START_ATTEMPTS + 1):
        port = free_port()
        options = " ".join(
            [
                f"-c listen_addresses={LOOPBACK}",
                f"-c port={port}",
                "-c unix_socket_directories=''",
                # A throw-away cluster: durability only costs time here.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        try:
            _run([*pg_ctl, "-l", str(log), "-o", options, "-w", "-t", "60", "start"], timeout=90)
        except RuntimeError as error:
            if attempt == START_ATTEMPTS:
                raise RuntimeError(f"{error}{tail(log)}") from None
            continue
        return port
    raise AssertionError("unreachable")  # pragma: no cover
