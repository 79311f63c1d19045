"""The clamd client against a real clamd (tests/services/clamd.py)."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from admissions.core import antivirus
from admissions.core.antivirus import ClamdClient, ClamdError, ScanStatus
from tests.services.base import LOOPBACK, free_port
from tests.services.clamd import EICAR, EICAR_SIGNATURE, STREAM_MAX_BYTES, Clamd


def test_ping_answers(clamd: str) -> None:
    ClamdClient(clamd).ping()


def test_version_names_clamav(clamd: str) -> None:
    assert ClamdClient(clamd).version().startswith("ClamAV ")


def test_eicar_is_infected(clamd: str) -> None:
    result = ClamdClient(clamd).scan_stream(io.BytesIO(EICAR))
    assert result.status is ScanStatus.INFECTED
    assert result.infected
    assert not result.clean
    assert result.signature.startswith(EICAR_SIGNATURE)


def test_clean_bytes_are_clean(clamd: str) -> None:
    result = ClamdClient(clamd).scan_stream(io.BytesIO(b"%PDF-1.7\n" + b"x" * 200_000))
    assert result.status is ScanStatus.CLEAN
    assert result.clean
    assert result.signature == ""


def test_empty_file_is_clean(clamd: str) -> None:
    assert ClamdClient(clamd).scan_stream(io.BytesIO(b"")).clean


def test_signature_split_across_chunks_is_found(clamd: str) -> None:
    result = ClamdClient(clamd, chunk_bytes=7).scan_stream(io.BytesIO(EICAR))
    assert result.infected


def test_scan_starts_at_the_current_position(clamd: str) -> None:
    stream = io.BytesIO(b"entete" + EICAR)
    stream.seek(len(b"entete"))
    assert ClamdClient(clamd).scan_stream(stream).infected


def test_host_names_are_resolved(clamd: str) -> None:
    port = clamd.rsplit(":", 1)[1]
    ClamdClient(f"tcp://localhost:{port}").ping()


def test_unix_socket_works_too(clamd_daemon: Clamd) -> None:
    client = ClamdClient(clamd_daemon.unix_address)
    client.ping()
    assert client.scan_stream(io.BytesIO(EICAR)).infected


def test_unix_socket_streams_when_told(clamd_daemon: Clamd) -> None:
    client = ClamdClient(clamd_daemon.unix_address, descriptors=False)
    assert not client.descriptors
    assert client.scan_stream(io.BytesIO(EICAR)).infected
    assert client.scan_stream(io.BytesIO(b"%PDF-1.7\n" + b"x" * 200_000)).clean


def test_stream_over_the_daemon_limit_is_an_error(clamd: str) -> None:
    result = ClamdClient(clamd).scan_stream(io.BytesIO(b"\0" * (STREAM_MAX_BYTES + 1024)))
    assert result.status is ScanStatus.ERROR
    assert "size limit" in result.detail


def test_closed_port_is_an_error() -> None:
    client = ClamdClient(f"tcp://{LOOPBACK}:{free_port()}", timeout=2)
    with pytest.raises(ClamdError, match="refused"):
        client.ping()
    result = client.scan_stream(io.BytesIO(b"contenu"))
    assert result.status is ScanStatus.ERROR
    assert "refused" in result.detail


@pytest.fixture
def silent_listener() -> Iterator[str]:
    """A port that accepts connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((LOOPBACK, 0))
        listener.listen(8)
        yield f"tcp://{LOOPBACK}:{listener.getsockname()[1]}"


def test_silent_daemon_times_out(silent_listener: str) -> None:
    client = ClamdClient(silent_listener, timeout=0.3)
    with pytest.raises(ClamdError, match="in time"):
        client.ping()
    result = client.scan_stream(io.BytesIO(b"contenu"))
    assert result.status is ScanStatus.ERROR
    assert "in time" in result.detail


def test_missing_unix_socket_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ClamdError, match="does not exist"):
        ClamdClient(f"unix://{tmp_path}/absent.ctl").ping()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1:3310",
        "tcp://127.0.0.1",
        "tcp://:3310",
        "tcp://127.0.0.1:port",
        "unix://",
        "http://x:1",
    ],
)
def test_bad_addresses_are_refused(address: str) -> None:
    with pytest.raises(ValueError, match="clamd address"):
        ClamdClient(address)


def test_settings_choose_the_daemon(settings: Settings, clamd: str) -> None:
    settings.CLAMD_ADDRESS = clamd
    settings.CLAMD_TIMEOUT = 5
    client = antivirus.configured_client()
    assert client is not None
    assert client.timeout == 5
    antivirus.ping()
    assert antivirus.scan_stream(io.BytesIO(EICAR)).infected


def test_without_an_address_nothing_is_configured(settings: Settings) -> None:
    settings.CLAMD_ADDRESS = ""
    assert antivirus.configured_client() is None
    with pytest.raises(antivirus.AntivirusNotConfiguredError, match="ADMISSIONS_CLAMD"):
        antivirus.ping()
    with pytest.raises(antivirus.AntivirusNotConfiguredError):
        antivirus.scan_stream(io.BytesIO(b""))
