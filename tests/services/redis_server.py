"""A throw-away Redis server, no persistence, on a free loopback port."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.services.base import LOOPBACK, require_binary, start_on_free_port, stop_process


def _answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """The server's URL, redis://127.0.0.1:PORT/0."""
    binary = require_binary("redis-server", package="redis-server")
    root = Path(tempfile.mkdtemp(prefix="admissions-redis-"))
    log = root / "redis.log"

    def start(port: int) -> subprocess.Popen[bytes]:
        command = [
            binary,
            "--bind", LOOPBACK,
            "--port", str(port),
            "--dir", str(root),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(log),
        ]  # fmt: skip
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        process, port = start_on_free_port(
            start, lambda port: _answers(_url(port)), what="redis-server", timeout=20, log=log
        )
        try:
            yield _url(port)
        finally:
            stop_process(process)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _url(port: int) -> str:
    return f"redis://{LOOPBACK}:{port}/0"
