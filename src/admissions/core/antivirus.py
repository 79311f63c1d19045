"""A small client for ClamAV's daemon, clamd, over TCP or a unix socket.

Over TCP it speaks clamd's INSTREAM protocol: the file goes in length-prefixed chunks, so the
daemon never needs to read our storage, and a zero-length chunk ends the stream. Over a unix
socket (clamd on the same machine) it hands clamd the file's descriptor instead (FILDES):
clamd reads the bytes where they are, without receiving them through the socket and writing
them to a temporary file of its own first. A file with no descriptor of its own (one held in
memory) is copied to an anonymous in-memory file for it. When clamd refuses the descriptor
(a proxy in between that cannot pass one, a clamd built without it), the file is streamed.
Commands use the `z` prefix, which makes clamd end each reply with a NUL byte.
"""

from __future__ import annotations

import os
import re
import socket
import struct
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO
from urllib.parse import urlsplit

from django.conf import settings

from admissions.core.filedescriptors import memory_copy, whole_regular_file

CHUNK_BYTES = 64 * 1024
MAX_REPLY_BYTES = 4096
DEFAULT_TIMEOUT = 30.0
# What clamd puts before a verdict: "stream:" after INSTREAM, "fd[7]:" after FILDES.
VERDICT_PREFIX = re.compile(r"^(?:stream|fd\[\d+\]):")
# clamd could not be reached at all: streaming to the same address would fail the same way.
UNREACHABLE = (TimeoutError, ConnectionRefusedError, FileNotFoundError, PermissionError)


class ClamdError(Exception):
    """clamd could not be reached or gave an answer we do not understand."""


class AntivirusNotConfiguredError(ClamdError):
    """No clamd address is configured (ADMISSIONS_CLAMD)."""


class ScanStatus(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    ERROR = "error"


@dataclass(frozen=True)
class ScanResult:
    status: ScanStatus
    signature: str = ""
    detail: str = ""

    @property
    def clean(self) -> bool:
        return self.status is ScanStatus.CLEAN

    @property
    def infected(self) -> bool:
        return self.status is ScanStatus.INFECTED


@dataclass(frozen=True)
class Address:
    """A (host, port) pair for TCP, a path for a unix socket."""

    target: str | tuple[str, int]


def parse_address(address: str) -> Address:
    """tcp://host:port or unix:///path/to/clamd.ctl."""
    parts = urlsplit(address)
    if parts.scheme == "tcp":
        try:
            port = parts.port
        except ValueError:
            port = None
        if not parts.hostname or port is None:
            raise ValueError(f"clamd address {address!r}: expected tcp://host:port")
        return Address((parts.hostname, port))
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError(f"clamd address {address!r}: expected unix:///path/to/socket")
        return Address(parts.path)
    raise ValueError(
        f"clamd address {address!r}: expected tcp://host:port or unix:///path/to/socket"
    )


class ClamdClient:
    def __init__(
        self,
        address: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        chunk_bytes: int = CHUNK_BYTES,
        descriptors: bool = True,
    ) -> None:
        """`descriptors`: hand files by descriptor when the address is a unix socket."""
        self.address = parse_address(address)
        self.timeout = timeout
        self.chunk_bytes = chunk_bytes
        self.descriptors = descriptors and isinstance(self.address.target, str)

    def ping(self) -> None:
        """Return when clamd answers PONG; raise ClamdError otherwise."""
        reply = self._command(b"PING")
        if reply != "PONG":
            raise ClamdError(f"clamd answered {reply!r} to PING")

    def version(self) -> str:
        return self._command(b"VERSION")

    def scan_stream(self, fileobj: BinaryIO) -> ScanResult:
        """Scan what `fileobj` holds from its current position to its end."""
        if self.descriptors:
            try:
                start = fileobj.tell()
            except (OSError, ValueError):  # not seekable (a pipe): it can only be streamed
                return self._scan_instream(fileobj)
            result = self._scan_descriptor(fileobj)
            if result is not None:
                return result
            fileobj.seek(start)
        return self._scan_instream(fileobj)

    def _scan_descriptor(self, fileobj: BinaryIO) -> ScanResult | None:
        """FILDES; None when clamd refused the descriptor or did not understand the command."""
        try:
            descriptor, owned = _descriptor(fileobj)
        except OSError:
            return None
        if descriptor is None:
            return None
        try:
            with self._connect() as connection:
                connection.sendall(b"zFILDES\0")
                socket.send_fds(connection, [b"\0"], [descriptor])
                result = _scan_result(_read_reply(connection))
        except UNREACHABLE as error:
            return ScanResult(ScanStatus.ERROR, detail=_describe(error))
        except (OSError, ClamdError):
            return None
        finally:
            if owned:
                os.close(descriptor)
        return None if result.status is ScanStatus.ERROR else result

    def _scan_instream(self, fileobj: BinaryIO) -> ScanResult:
        try:
            with self._connect() as connection:
                connection.sendall(b"zINSTREAM\0")
                try:
                    while chunk := fileobj.read(self.chunk_bytes):
                        connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                    connection.sendall(struct.pack("!L", 0))
                except (BrokenPipeError, ConnectionResetError):
                    # clamd stops reading past its StreamMaxLength and says why; read on.
                    pass
                reply = _read_reply(connection)
        except (OSError, ClamdError) as error:
            return ScanResult(ScanStatus.ERROR, detail=_describe(error))
        return _scan_result(reply)

    def _command(self, command: bytes) -> str:
        try:
            with self._connect() as connection:
                connection.sendall(b"z" + command + b"\0")
                return _read_reply(connection)
        except OSError as error:
            raise ClamdError(_describe(error)) from error

    def _connect(self) -> socket.socket:
        if isinstance(self.address.target, tuple):
            # Resolves host names and tries each address, IPv4 or IPv6.
            return socket.create_connection(self.address.target, timeout=self.timeout)
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(self.timeout)
        try:
            connection.connect(self.address.target)
        except OSError:
            connection.close()
            raise
        return connection


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        try:
            data = connection.recv(MAX_REPLY_BYTES)
        except ConnectionResetError:
            data = b""
        if not data:
            if reply:
                break
            raise ClamdError("clamd closed the connection without an answer")
        reply += data
        if len(reply) > MAX_REPLY_BYTES:
            raise ClamdError("clamd's answer is too long")
    return reply.rstrip(b"\0").decode("utf-8", errors="replace").strip()


def _descriptor(fileobj: BinaryIO) -> tuple[int | None, bool]:
    """A descriptor clamd can read the rest of `fileobj` from, and whether it is ours to close.

    A file at its start that has a descriptor of a regular file is handed as it is; anything
    else is copied from its position to an anonymous in-memory file (None where the system
    has none: the file is then streamed).
    """
    if whole_regular_file(fileobj):
        fileobj.flush()  # clamd reads the file, not our buffer
        return fileobj.fileno(), False
    return memory_copy(fileobj), True


def _scan_result(reply: str) -> ScanResult:
    verdict = VERDICT_PREFIX.sub("", reply, count=1).strip()
    if verdict == "OK":
        return ScanResult(ScanStatus.CLEAN)
    if verdict.endswith(" FOUND"):
        return ScanResult(ScanStatus.INFECTED, signature=verdict.removesuffix(" FOUND").strip())
    if verdict.endswith(" ERROR"):
        return ScanResult(ScanStatus.ERROR, detail=verdict.removesuffix(" ERROR").strip())
    return ScanResult(ScanStatus.ERROR, detail=f"unexpected answer from clamd: {reply!r}")


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "clamd did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "clamd refused the connection"
    if isinstance(error, FileNotFoundError):
        return "clamd's socket does not exist"
    return str(error) or type(error).__name__


def configured_client() -> ClamdClient | None:
    """The client for settings.CLAMD_ADDRESS, or None when no antivirus is configured."""
    address = getattr(settings, "CLAMD_ADDRESS", "")
    if not address:
        return None
    return ClamdClient(address, timeout=float(getattr(settings, "CLAMD_TIMEOUT", DEFAULT_TIMEOUT)))


def _client() -> ClamdClient:
    client = configured_client()
    if client is None:
        raise AntivirusNotConfiguredError("no antivirus configured: set ADMISSIONS_CLAMD")
    return client


def ping() -> None:
    """PING the configured clamd; raise ClamdError (or AntivirusNotConfiguredError) on failure."""
    _client().ping()


def scan_stream(fileobj: BinaryIO) -> ScanResult:
    """Scan with the configured clamd; raise AntivirusNotConfiguredError when there is none."""
    return _client().scan_stream(fileobj)
