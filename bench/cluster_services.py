"""The processes of `cluster.py`: the production layout of docs/production.md on loopback.

Each is a context manager that starts its process (in a session of its own, so that its
whole process group can be stopped), waits for it within a bounded time, and stops it when
its `with` block ends, whatever happened inside. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any

from load_server import SERVER_INTERPRETER

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
# granian as docs/operations.md runs it: one worker per core, two threads each.
APP_WORKERS = 2
APP_THREADS = 2


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_until(
    ready: Callable[[], bool], what: str, process: Any = None, log: Path | None = None
) -> None:
    """Poll `ready` until true; fail when the process ends or START_TIMEOUT passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}{tail(log)}")
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {START_TIMEOUT:.0f} s{tail(log)}")


def tail(log: Path | None, chars: int = 3000) -> str:
    if log is None or not log.exists():
        return ""
    return "\n" + log.read_text(encoding="utf-8", errors="replace")[-chars:]


def stop_group(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop a process and its whole group: `sig`, then SIGKILL after STOP_TIMEOUT."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)
        except ProcessLookupError:
            pass
    # Children left behind by a leader that died first (granian's workers).
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def started(
    command: list[str], log: Path, *, env: dict[str, str] | None = None, sig: int = signal.SIGTERM
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop_group(process, sig)


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


def fetch(
    url: str, *, context: ssl.SSLContext | None = None, host: str | None = None, **request: Any
) -> tuple[int, bytes]:
    """One request, no redirect followed: (status, body); 0 when nothing answers."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    handlers: list[Any] = [NoRedirect]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    req = urllib.request.Request(url, **request)  # noqa: S310 - loopback only
    if host:
        req.add_header("Host", host)
    try:
        with urllib.request.build_opener(*handlers).open(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


# Services --------------------------------------------------------------------------------


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    binary = shutil.which("redis-server", path="/usr/bin:/usr/sbin:" + os.environ["PATH"])
    if binary is None:
        raise SystemExit("redis-server not found: install the Debian package redis-server")
    port = free_port()
    log = folder / "redis.log"
    command = [binary, "--bind", LOOPBACK, "--port", str(port), "--dir", str(folder)]
    command += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(log)]
    with started(command, folder / "redis.out") as process:
        wait_until(lambda: port_accepts(port), "redis-server", process, log)
        yield f"redis://{LOOPBACK}:{port}"


@contextmanager
def clamd(folder: Path) -> Iterator[str]:
    """The tests' clamd: one signature (the EICAR test file), a loopback TCP port."""
    sys.path.insert(0, str(ROOT))
    from tests.services import clamd as service

    root, binary = service._prepared_root()
    port = free_port()
    with started(
        [binary, "--config-file", str(service._config(root, port))], folder / "clamd.out"
    ) as process:
        try:
            wait_until(lambda: service._pong(port), "clamd", process, root / "clamd.log")
            yield f"tcp://{LOOPBACK}:{port}"
        finally:
            stop_group(process)
            shutil.rmtree(root, ignore_errors=True)


@contextmanager
def s3_endpoint(bucket: str, region: str) -> Iterator[dict[str, str]]:
    """moto's S3 server, as the tests run it, with one private bucket."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    # The server logs every request it serves.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        settings = {
            "ADMISSIONS_STORAGE": "s3",
            "ADMISSIONS_S3_BUCKET": bucket,
            "ADMISSIONS_S3_ENDPOINT_URL": f"http://{host}:{port}",
            "ADMISSIONS_S3_ACCESS_KEY_ID": "bench-access-key",
            "ADMISSIONS_S3_SECRET_ACCESS_KEY": "bench-secret-key",
            "ADMISSIONS_S3_REGION": region,
        }
        client = boto3.client(
            "s3",
            endpoint_url=settings["ADMISSIONS_S3_ENDPOINT_URL"],
            aws_access_key_id=settings["ADMISSIONS_S3_ACCESS_KEY_ID"],
            aws_secret_access_key=settings["ADMISSIONS_S3_SECRET_ACCESS_KEY"],
            region_name=region,
        )
        client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )
        yield settings
    finally:
        server.stop()


@contextmanager
def smtp_sink() -> Iterator[Any]:
    """The tests' SMTP server: keeps every message it receives."""
    sys.path.insert(0, str(ROOT))
    from aiosmtpd.controller import Controller
    from tests.services.smtp import SmtpServer

    server = SmtpServer(host=LOOPBACK, port=free_port())
    controller = Controller(server, hostname=LOOPBACK, port=server.port, ready_timeout=10)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid two days."""
    cert, key = folder / "tls.crt", folder / "tls.key"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256"]
    command += [
        "-days",
        "2",
        "-subj",
        f"/CN={LOOPBACK}",
        "-addext",
        f"subjectAltName=IP:{LOOPBACK}",
    ]
    command += ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return cert, key


# The application and its workers -----------------------------------------------------------


class AppProcess:
    """One application process: granian, WSGI, the command of docs/operations.md (its
    interpreter's settings included)."""

    def __init__(self, venv: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.address = f"{LOOPBACK}:{self.port}"
        self.venv, self.env, self.log = venv, env, log

    def __enter__(self) -> AppProcess:
        command = [str(self.venv / "bin" / "granian"), "--interface", "wsgi"]
        command += ["--host", LOOPBACK, "--port", str(self.port), "--workers", str(APP_WORKERS)]
        command += ["--blocking-threads", str(APP_THREADS), "admissions.wsgi:application"]
        self._context = started(command, self.log, env={**self.env, **SERVER_INTERPRETER})
        self.process = self._context.__enter__()
        try:
            wait_until(self.healthy, f"granian on {self.address}", self.process, self.log)
        except BaseException:
            self._context.__exit__(None, None, None)
            raise
        return self

    def healthy(self) -> bool:
        return fetch(f"http://{self.address}/healthz", host=LOOPBACK)[0] == 200

    def kill(self) -> None:
        """SIGKILL to the whole process: its main process and its workers, at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(None, None, None)


def manage(venv: Path, *arguments: str) -> list[str]:
    return [str(venv / "bin" / "python"), "-m", "admissions.manage", *arguments]


def task_worker(
    venv: Path, env: dict[str, str], log: Path
) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """An RQ worker, as docs/operations.md runs them (SIGTERM: a warm stop)."""
    command = manage(venv, "rqworker", "--with-scheduler", "--job-class", "django_tasks_rq.Job")
    return started([*command, "default"], log, env=env)


def scheduler(
    venv: Path, env: dict[str, str], log: Path, every_minutes: float
) -> AbstractContextManager[subprocess.Popen[bytes]]:
    command = manage(venv, "periodic", "--loop", "--every", f"{every_minutes:g}")
    return started(command, log, env=env)


# nginx ---------------------------------------------------------------------------------------


def render_nginx(template: str, values: dict[str, str], apps: list[str]) -> str:
    """The template with its @NAME@ values, each line naming @APP@ once per process."""
    lines = []
    for line in template.splitlines():
        if line.lstrip().startswith("#"):
            lines.append(line)
            continue
        if "@APP@" in line:
            lines += [line.replace("@APP@", app) for app in apps]
            continue
        for name, value in values.items():
            line = line.replace(f"@{name}@", value)
        lines.append(line)
    text = "\n".join(lines) + "\n"
    left = {
        name
        for line in lines
        if not line.lstrip().startswith("#")
        for name in re.findall(r"@([A-Z_]+)@", line)
    }
    if left:
        raise RuntimeError(f"the nginx template has values not given: {', '.join(sorted(left))}")
    return text


class Nginx:
    """nginx in the foreground, its configuration, pid, logs and temporary files in `folder`."""

    def __init__(self, folder: Path, apps: list[str], cert: Path, key: Path) -> None:
        binary = shutil.which("nginx", path="/usr/sbin:/usr/bin:" + os.environ["PATH"])
        if binary is None:
            raise SystemExit("nginx not found: install the Debian package nginx")
        self.binary = binary
        self.folder = folder
        self.port, self.http_port = free_port(), free_port()
        self.url = f"https://{LOOPBACK}:{self.port}"
        self.access_log = folder / "access.log"
        self.error_log = folder / "error.log"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        values = {
            "USER": pwd.getpwuid(os.geteuid()).pw_name,
            "WORKER_PROCESSES": "1",
            "RUN_DIR": str(folder),
            "LOG_DIR": str(folder),
            "MIME_TYPES": "/etc/nginx/mime.types",
            "LISTEN_HTTPS": f"{LOOPBACK}:{self.port} ssl",
            "LISTEN_HTTP": f"{LOOPBACK}:{self.http_port}",
            "SERVER_NAME": LOOPBACK,
            "CERTIFICATE": str(cert),
            "CERTIFICATE_KEY": str(key),
        }
        self.config = folder / "nginx.conf"
        self.config.write_text(
            render_nginx(NGINX_TEMPLATE.read_text(encoding="utf-8"), values, apps), encoding="utf-8"
        )
        self.context = ssl.create_default_context(cafile=str(cert))

    def __enter__(self) -> Nginx:
        base = [self.binary, "-p", str(self.folder), "-c", str(self.config)]
        check = subprocess.run(
            [*base, "-t"], capture_output=True, text=True, timeout=30, check=False
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx refuses its configuration:\n{check.stderr}")
        # SIGQUIT: nginx's graceful stop.
        self._context = started(
            [*base, "-g", "daemon off;"], self.folder / "nginx.out", sig=signal.SIGQUIT
        )
        process = self._context.__enter__()
        try:
            wait_until(lambda: self.get("/healthz")[0] == 200, "nginx", process, self.error_log)
        except BaseException:
            self._context.__exit__(None, None, None)
            raise
        return self

    def get(self, path: str, **request: Any) -> tuple[int, bytes]:
        return fetch(self.url + path, context=self.context, **request)

    def __exit__(self, *exc: object) -> None:
        self._context.__exit__(None, None, None)
