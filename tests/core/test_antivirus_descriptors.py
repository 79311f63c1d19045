"""Files handed to clamd by descriptor over its unix socket, against a real clamd."""

from __future__ import annotations

import io
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from pytest_django.fixtures import Settings

from admissions.core import antivirus
from admissions.core.antivirus import ClamdClient, ScanStatus
from tests.services.base import LOOPBACK
from tests.services.clamd import EICAR, EICAR_SIGNATURE, STREAM_MAX_BYTES, Clamd


def by_descriptor(clamd_daemon: Clamd) -> ClamdClient:
    client = ClamdClient(clamd_daemon.unix_address)
    assert client.descriptors
    return client


def test_tcp_never_hands_descriptors(clamd: str) -> None:
    assert not ClamdClient(clamd).descriptors


def test_eicar_in_memory_is_found(clamd_daemon: Clamd) -> None:
    result = by_descriptor(clamd_daemon).scan_stream(io.BytesIO(EICAR))
    assert result.infected
    assert result.signature.startswith(EICAR_SIGNATURE)


def test_clean_bytes_in_memory_are_clean(clamd_daemon: Clamd) -> None:
    client = by_descriptor(clamd_daemon)
    assert client.scan_stream(io.BytesIO(b"%PDF-1.7\n" + b"x" * 200_000)).status is (
        ScanStatus.CLEAN
    )


def test_empty_file_is_clean(clamd_daemon: Clamd) -> None:
    assert by_descriptor(clamd_daemon).scan_stream(io.BytesIO(b"")).clean


def test_file_on_disk_is_handed_as_it_is(clamd_daemon: Clamd, tmp_path: Path) -> None:
    path = tmp_path / "sample.bin"
    path.write_bytes(EICAR)
    with path.open("rb") as handle:
        assert by_descriptor(clamd_daemon).scan_stream(handle).infected
        assert handle.tell() == 0


def test_scan_starts_at_the_current_position(clamd_daemon: Clamd, tmp_path: Path) -> None:
    """Only the bytes from the position on are scanned, on disk as in memory: the EICAR
    signature is a digest of the whole test file, so a byte before it hides it."""
    client = by_descriptor(clamd_daemon)
    stream = io.BytesIO(b"entete" + EICAR)
    stream.seek(len(b"entete"))
    assert client.scan_stream(stream).infected
    path = tmp_path / "prefixed.bin"
    path.write_bytes(b"entete" + EICAR)
    with path.open("rb") as handle:
        assert client.scan_stream(handle).clean
        handle.seek(len(b"entete"))
        assert client.scan_stream(handle).infected


def test_django_uploads_are_handed(clamd_daemon: Clamd) -> None:
    """What the upload views pass: in memory up to 2 MB, a temporary file above."""
    client = by_descriptor(clamd_daemon)
    in_memory = InMemoryUploadedFile(
        io.BytesIO(EICAR), "file", "piece.pdf", "application/pdf", len(EICAR), None
    )
    assert client.scan_stream(in_memory).infected  # type: ignore[arg-type]
    with TemporaryUploadedFile("piece.pdf", "application/pdf", len(EICAR), None) as on_disk:
        on_disk.write(EICAR)
        on_disk.seek(0)
        assert client.scan_stream(on_disk).infected  # type: ignore[arg-type]


def test_a_spooled_file_stays_in_memory(clamd_daemon: Clamd) -> None:
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        spool.write(EICAR)
        spool.seek(0)
        assert by_descriptor(clamd_daemon).scan_stream(spool).infected  # type: ignore[arg-type]
        assert not spool._rolled  # type: ignore[attr-defined]


def test_a_pipe_is_streamed(clamd_daemon: Clamd) -> None:
    reader, writer = os.pipe()
    os.write(writer, EICAR)
    os.close(writer)
    with open(reader, "rb") as pipe:
        assert by_descriptor(clamd_daemon).scan_stream(pipe).infected


def test_unflushed_writes_are_scanned(clamd_daemon: Clamd, tmp_path: Path) -> None:
    with (tmp_path / "written.bin").open("w+b") as handle:
        handle.write(EICAR)
        handle.seek(0)
        assert by_descriptor(clamd_daemon).scan_stream(handle).infected


def test_a_descriptor_is_not_bound_by_the_stream_limit(clamd: str, clamd_daemon: Clamd) -> None:
    """What only a descriptor gets through: clamd refuses a stream past StreamMaxLength."""
    large = b"\0" * (STREAM_MAX_BYTES + 1024)
    assert ClamdClient(clamd).scan_stream(io.BytesIO(large)).status is ScanStatus.ERROR
    assert by_descriptor(clamd_daemon).scan_stream(io.BytesIO(large)).clean


@dataclass
class Relay:
    """A unix socket that relays bytes to clamd's TCP port, as a proxy would: descriptors
    sent to it are dropped, so clamd refuses FILDES through it."""

    address: str
    commands: list[bytes] = field(default_factory=list)


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
        target.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _relay_one(client: socket.socket, port: int, commands: list[bytes]) -> None:
    with client, socket.create_connection((LOOPBACK, port)) as upstream:
        first = b""
        while not first.endswith(b"\0") and len(first) < 64:
            data = client.recv(1)
            if not data:
                return
            first += data
        commands.append(first)
        upstream.sendall(first)
        back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
        back.start()
        _pump(client, upstream)
        back.join(timeout=30)


@pytest.fixture
def relay(clamd: str) -> Iterator[Relay]:
    port = int(clamd.rsplit(":", 1)[1])
    folder = Path(tempfile.mkdtemp(prefix="clamd-relay-"))
    path = folder / "relay.ctl"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)
    result = Relay(address=f"unix://{path}")

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(
                target=_relay_one, args=(client, port, result.commands), daemon=True
            ).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield result
    finally:
        listener.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_a_refused_descriptor_falls_back_to_streaming(relay: Relay) -> None:
    result = ClamdClient(relay.address).scan_stream(io.BytesIO(b"entete" + EICAR))
    assert result.clean
    stream = io.BytesIO(b"entete" + EICAR)
    stream.seek(len(b"entete"))
    result = ClamdClient(relay.address).scan_stream(stream)
    assert result.infected
    assert result.signature.startswith(EICAR_SIGNATURE)
    assert relay.commands == [b"zFILDES\0", b"zINSTREAM\0"] * 2


def test_the_stream_limit_still_holds_after_a_refusal(relay: Relay) -> None:
    large = io.BytesIO(b"\0" * (STREAM_MAX_BYTES + 1024))
    result = ClamdClient(relay.address).scan_stream(large)
    assert result.status is ScanStatus.ERROR
    assert "size limit" in result.detail


@pytest.fixture
def silent_unix_listener() -> Iterator[tuple[str, socket.socket]]:
    """A unix socket that accepts connections and never answers."""
    folder = Path(tempfile.mkdtemp(prefix="clamd-silent-"))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(folder / "silent.ctl"))
    listener.listen(8)
    try:
        yield f"unix://{folder / 'silent.ctl'}", listener
    finally:
        listener.close()
        shutil.rmtree(folder, ignore_errors=True)


def test_a_silent_daemon_times_out_once(
    silent_unix_listener: tuple[str, socket.socket],
) -> None:
    """No stream is tried after a descriptor clamd did not answer: it would wait as long."""
    address, listener = silent_unix_listener
    result = ClamdClient(address, timeout=0.3).scan_stream(io.BytesIO(b"contenu"))
    assert result.status is ScanStatus.ERROR
    assert "in time" in result.detail
    listener.settimeout(0.1)
    accepted = []
    try:
        while True:
            accepted.append(listener.accept()[0])
    except TimeoutError:
        pass
    for connection in accepted:
        connection.close()
    assert len(accepted) == 1


def test_missing_socket_is_an_error(tmp_path: Path) -> None:
    result = ClamdClient(f"unix://{tmp_path}/absent.ctl").scan_stream(io.BytesIO(EICAR))
    assert result.status is ScanStatus.ERROR
    assert "does not exist" in result.detail


def test_settings_with_a_unix_socket_hand_descriptors(
    settings: Settings, clamd_daemon: Clamd
) -> None:
    settings.CLAMD_ADDRESS = clamd_daemon.unix_address
    client = antivirus.configured_client()
    assert client is not None
    assert client.descriptors
    assert antivirus.scan_stream(io.BytesIO(EICAR)).infected
