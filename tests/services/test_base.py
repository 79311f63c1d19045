"""The rule every test service follows when its program is missing."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services.base import (
    LOOPBACK,
    ServiceExitedError,
    free_port,
    port_accepts,
    require_binary,
    start_on_free_port,
    stop_process,
    unavailable,
)


@pytest.mark.parametrize("value", ["true", "1", "TRUE", "yes"])
def test_missing_service_fails_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=r"no such server.*CI=true"):
        unavailable("no such server")


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_missing_service_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="no such server"):
        unavailable("no such server")


def test_missing_binary_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install the Debian package no-such-package"):
        require_binary("admissions-no-such-program", package="no-such-package")


def test_free_port_is_free_and_bindable() -> None:
    port = free_port()
    assert not port_accepts(port)
    with socket.socket() as listener:
        listener.bind((LOOPBACK, port))
        listener.listen(1)
        assert port_accepts(port)


def test_a_server_that_exits_at_once_is_started_again_on_another_port(tmp_path: Path) -> None:
    attempts: list[int] = []

    def start(port: int) -> subprocess.Popen[bytes]:
        attempts.append(port)
        if len(attempts) == 1:  # as a server does when its port was taken meanwhile
            return subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
        return subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", LOOPBACK],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    process, port = start_on_free_port(start, port_accepts, what="http.server", timeout=20)
    try:
        assert len(attempts) == 2
        assert port == attempts[-1]
        assert port_accepts(port)
    finally:
        stop_process(process)


def test_a_server_that_never_starts_is_reported() -> None:
    def start(port: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])

    with pytest.raises(ServiceExitedError, match="exited with code 3"):
        start_on_free_port(start, port_accepts, what="broken", timeout=20)
