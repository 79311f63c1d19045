"""`serve` in a real process: pages answer, the in-process worker runs tasks, signals stop it."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.core.processes import ENQUEUE_AND_WAIT, environment, last_line, manage, start_manage
from tests.services.base import LOOPBACK, free_port, stop_process, wait_until


@dataclass(frozen=True)
class Site:
    var_dir: Path
    environment: dict[str, str]

    def manage(self, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return manage(self.environment, *arguments, timeout=timeout)


@pytest.fixture(scope="module")
def database_url(
    request: pytest.FixtureRequest,
    database_engine: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    if database_engine == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('serve-db') / 'admissions.sqlite3'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"serve_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield server.url(name)
    with psycopg.connect(server.url(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Site:
    var_dir = tmp_path_factory.mktemp("serve-var")
    env = environment(var_dir, DATABASE_URL=database_url, EMAIL_URL="locmem://", TASKS="database")
    site = Site(var_dir=var_dir, environment=env)
    # What /healthz and the worker touch: the task table (the full schema is not needed).
    migrated = site.manage("migrate", "django_tasks_database", "--no-input", "-v0", timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    return site


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(self, path: str) -> tuple[int, bytes]:
        url = f"http://{LOOPBACK}:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, stop_signal: signal.Signals) -> int:
        self.process.send_signal(stop_signal)
        return self.process.wait(timeout=30)


def _answers(server: Server) -> bool:
    try:
        return server.get("/healthz")[0] in (200, 503)
    except OSError:
        return False


def _serve(site: Site, tasks: str) -> Iterator[Server]:
    port = free_port()
    log = site.var_dir / f"serve-{port}.log"
    env = {**site.environment, "ADMISSIONS_TASKS": tasks}
    arguments = ["serve", "--host", LOOPBACK, "--port", str(port), "--worker-interval", "0.1"]
    process = start_manage(env, log, *arguments)
    server = Server(process=process, port=port, log=log)
    try:
        wait_until(lambda: _answers(server), timeout=60, what="serve", process=process, log=log)
        yield server
    finally:
        stop_process(process, timeout=30)


@pytest.fixture(scope="module")
def shared_server(site: Site) -> Iterator[Server]:
    """One server with the database task backend for the tests that leave it running."""
    yield from _serve(site, "database")


@pytest.fixture
def own_server(site: Site) -> Iterator[Server]:
    """A server with the database task backend for a test that stops it."""
    yield from _serve(site, "database")


@pytest.fixture
def server_without_worker(site: Site) -> Iterator[Server]:
    yield from _serve(site, "immediate")


def test_pages_answer(shared_server: Server) -> None:
    status, body = shared_server.get("/healthz")
    assert status == 200, body
    health = json.loads(body)
    assert health["checks"]["tasks"]["backend"] == "database"
    assert health["checks"]["database"]["status"] == "ok"


def test_a_task_enqueued_while_serving_runs(site: Site, shared_server: Server) -> None:
    token = uuid.uuid4().hex
    done = site.manage("shell", "-v0", "-c", ENQUEUE_AND_WAIT.format(token=token), timeout=90)
    assert done.returncode == 0, done.stderr
    assert last_line(done.stdout).split() == ["SUCCESSFUL", token], shared_server.output()
    assert "Task worker started for backend 'default'" in shared_server.output()


def test_sigterm_stops_server_and_worker(own_server: Server) -> None:
    assert own_server.stop(signal.SIGTERM) == 0, own_server.output()
    output = own_server.output()
    assert "Terminated: stopping" in output
    assert last_line(output) == "Stopped", output
    with pytest.raises(urllib.error.URLError):
        own_server.get("/healthz")


def test_no_worker_without_the_database_backend(server_without_worker: Server) -> None:
    status, _ = server_without_worker.get("/healthz")
    assert status == 200
    assert server_without_worker.stop(signal.SIGINT) == 0, server_without_worker.output()
    output = server_without_worker.output()
    assert "No task worker in this process (task backend ImmediateBackend)" in output
    assert "Task worker started" not in output
    assert "Interrupt: stopping" in output
    assert last_line(output) == "Stopped", output


def test_a_busy_port_is_a_clear_error(site: Site) -> None:
    with socket.socket() as holder:
        holder.bind((LOOPBACK, 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        done = site.manage("serve", "--host", LOOPBACK, "--port", str(port), timeout=60)
    assert done.returncode != 0
    assert f"cannot listen on {LOOPBACK}:{port}" in done.stderr


def test_granian_serves_the_wsgi_application(site: Site) -> None:
    """The production server named in the documentation runs the same application, under the
    interpreter's settings given there (docstrings, asserts and column positions dropped)."""
    granian = Path(sys.executable).with_name("granian")
    assert granian.exists(), "granian is a locked dependency: run make install-dev"
    port = free_port()
    log = site.var_dir / f"granian-{port}.log"
    command = [str(granian), "--interface", "wsgi", "--host", LOOPBACK, "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--workers", "1", "admissions.wsgi:application"],
            env={**site.environment, "PYTHONOPTIMIZE": "2", "PYTHONNODEBUGRANGES": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(process=process, port=port, log=log)
    try:
        wait_until(lambda: _answers(server), timeout=60, what="granian", process=process, log=log)
        status, body = server.get("/healthz")
        assert status == 200, body
        assert json.loads(body)["checks"]["database"]["status"] == "ok"
    finally:
        stop_process(process, timeout=20)
