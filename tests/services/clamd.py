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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.base import (
    LOOPBACK,
    require_binary,
    start_on_free_port,
    stop_process,
    wait_until,
)

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


def _config(root: Path, port: int) -> Path:
    config = root / f"clamd-{port}.conf"
    config.write_text(
        "\n".join(
            [
                f"DatabaseDirectory {root / 'db'}",
                f"TCPSocket {port}",
                f"TCPAddr {LOOPBACK}",
                f"LocalSocket {root / f'clamd-{port}.ctl'}",
                "Foreground yes",
                f"LogFile {root / 'clamd.log'}",
                f"StreamMaxLength {STREAM_MAX_BYTES // 1024 // 1024}M",
                "MaxThreads 4",
                "",
            ]
        ),
        encoding="ascii",
    )
    return config


def _prepared_root() -> tuple[Path, str]:
    """A folder with clamd's one-signature database; the path of clamd."""
    binary = require_binary("clamd", package="clamav-daemon")
    sigtool = require_binary("sigtool", package="clamav")
    root = Path(tempfile.mkdtemp(prefix="admissions-clamd-"))
    (root / "db").mkdir()
    _signature_database(root / "db", sigtool)
    return root, binary


def _start(binary: str, root: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [binary, "--config-file", str(_config(root, port))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextmanager
def running_clamd() -> Iterator[tuple[Clamd, int]]:
    """A clamd listening on a loopback TCP port and on a unix socket; its process id."""
    root, binary = _prepared_root()
    try:
        process, port = start_on_free_port(
            lambda port: _start(binary, root, port),
            _pong,
            what="clamd",
            timeout=60,
            log=root / "clamd.log",
        )
        try:
            yield (
                Clamd(
                    tcp_address=f"tcp://{LOOPBACK}:{port}",
                    unix_address=f"unix://{root / f'clamd-{port}.ctl'}",
                ),
                process.pid,
            )
        finally:
            stop_process(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def clamd_daemon() -> Iterator[Clamd]:
    """One clamd for the session (`running_clamd`)."""
    with running_clamd() as (daemon, _pid):
        yield daemon


@dataclass
class RestartableClamd:
    """A clamd of the test's own, that it stops and starts again on the same port."""

    binary: str
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"tcp://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        self.process = _start(self.binary, self.root, self.port)
        wait_until(
            lambda: _pong(self.port),
            timeout=60,
            what="clamd",
            process=self.process,
            log=self.root / "clamd.log",
        )

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


@pytest.fixture
def restartable_clamd() -> Iterator[RestartableClamd]:
    root, binary = _prepared_root()
    process, port = start_on_free_port(
        lambda port: _start(binary, root, port), _pong, what="clamd", timeout=60
    )
    daemon = RestartableClamd(binary=binary, root=root, port=port, process=process)
    try:
        yield daemon
    finally:
        daemon.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def clamd(clamd_daemon: Clamd) -> str:
    """The daemon's address, tcp://127.0.0.1:PORT."""
    return clamd_daemon.tcp_address
