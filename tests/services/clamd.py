"""A throw-away clamd with a one-signature database: the EICAR test file.

The EICAR string is the industry's harmless test file: every antivirus engine reports it,
so a scan that finds it proves the whole path (client, protocol, daemon) works.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.base import LOOPBACK, require_binary, start_on_free_port, stop_process

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = "Eicar-Test-Signature"
# Small enough that a test can exceed it cheaply; clamd answers an error past it.
STREAM_MAX_BYTES = 4 * 1024 * 1024


def _pong(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5) as connection:
            connection.sendall(b"zPING\0")
            return connection.recv(16) == b"PONG\0"
    except OSError:
        return False


def _signature_database(folder: Path, sigtool: str) -> None:
    """An MD5 (.hdb) signature named after the test file, as `sigtool --md5` writes it."""
    sample = folder / EICAR_SIGNATURE
    sample.write_bytes(EICAR)
    line = subprocess.run(
        [sigtool, "--md5", str(sample)], capture_output=True, check=True, timeout=30, cwd=folder
    ).stdout.decode()
    sample.unlink()
    (folder / "test.hdb").write_text(line, encoding="ascii")


@dataclass(frozen=True)
class Clamd:
    tcp_address: str
    unix_address: str


@pytest.fixture(scope="session")
def clamd_daemon() -> Iterator[Clamd]:
    """One clamd listening on a loopback TCP port and on a unix socket."""
    binary = require_binary("clamd", package="clamav-daemon")
    sigtool = require_binary("sigtool", package="clamav")
    root = Path(tempfile.mkdtemp(prefix="admissions-clamd-"))
    database = root / "db"
    log = root / "clamd.log"

    def start(port: int) -> subprocess.Popen[bytes]:
        config = root / f"clamd-{port}.conf"
        config.write_text(
            "\n".join(
                [
                    f"DatabaseDirectory {database}",
                    f"TCPSocket {port}",
                    f"TCPAddr {LOOPBACK}",
                    f"LocalSocket {root / f'clamd-{port}.ctl'}",
                    "Foreground yes",
                    f"LogFile {log}",
                    f"StreamMaxLength {STREAM_MAX_BYTES // 1024 // 1024}M",
                    "MaxThreads 4",
                    "",
                ]
            ),
            encoding="ascii",
        )
        return subprocess.Popen(
            [binary, "--config-file", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    try:
        database.mkdir()
        _signature_database(database, sigtool)
        process, port = start_on_free_port(start, _pong, what="clamd", timeout=60, log=log)
        try:
            yield Clamd(
                tcp_address=f"tcp://{LOOPBACK}:{port}",
                unix_address=f"unix://{root / f'clamd-{port}.ctl'}",
            )
        finally:
            stop_process(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def clamd(clamd_daemon: Clamd) -> str:
    """The daemon's address, tcp://127.0.0.1:PORT."""
    return clamd_daemon.tcp_address
