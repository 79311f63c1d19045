"""`make bench-cluster` works: the production layout on loopback, a short load through nginx,
one application process killed, and the accounting of what that cost.

Nothing here is timed: a tiny run's throughput means nothing. What is checked is that the
run's own checks pass (no request lost beyond those in flight on the killed process, no
data lost, the task queue drained) and that its figures are written; the pieces it counts
with (the nginx template, nginx's error log) are checked on their own below.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import postgres
from tests.services.base import require_binary, unavailable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import cluster_checks  # noqa: E402
from cluster_services import NGINX_TEMPLATE, render_nginx  # noqa: E402

VALUES = {
    "USER": "www-data",
    "WORKER_PROCESSES": "auto",
    "RUN_DIR": "/run/nginx",
    "LOG_DIR": "/var/log/nginx",
    "MIME_TYPES": "/etc/nginx/mime.types",
    "LISTEN_HTTPS": "443 ssl",
    "LISTEN_HTTP": "80",
    "SERVER_NAME": "admissions.example.org",
    "CERTIFICATE": "/etc/ssl/admissions.crt",
    "CERTIFICATE_KEY": "/etc/ssl/admissions.key",
}


def row(text: str, label: str) -> str:
    line = next(line for line in text.splitlines() if line.startswith(f"| {label} |"))
    return line.split("|")[2].strip()


def first_number(cell: str) -> int:
    match = re.match(r"[\d,]+", cell)
    assert match, cell
    return int(match[0].replace(",", ""))


# In the PostgreSQL run of `make test`: the cluster runs on PostgreSQL, and the two runs
# of the suite take about the same time with it there.
@pytest.mark.postgres_only
@pytest.mark.timeout(900)
def test_the_cluster_loses_nothing_beyond_the_killed_process(tmp_path: Path) -> None:
    for binary, package in [
        ("nginx", "nginx"),
        ("wrk", "wrk"),
        ("redis-server", "redis-server"),
        ("clamd", "clamav-daemon"),
        ("openssl", "openssl"),
    ]:
        require_binary(binary, package=package)
    if postgres.server_bin_dir() is None:
        unavailable("PostgreSQL server binaries not found: install the Debian package postgresql")
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Results\n\nKept.\n\n<!-- cluster.py: begin -->\nAn older run.\n"
        "<!-- cluster.py: end -->\n\nKept too.\n",
        encoding="utf-8",
    )
    # Long enough for a candidate or two to upload their six documents and submit.
    command = [sys.executable, "bench/cluster.py", "--clients", "4", "--seconds", "15"]
    command += ["--kill-at", "0.4", "--results", str(results)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=850, check=False
    )
    output = done.stdout[-6000:] + done.stderr[-6000:]
    assert done.returncode == 0, output
    assert "killed the application process on 127.0.0.1:" in done.stdout, output
    text = results.read_text(encoding="utf-8")
    assert "Kept." in text
    assert "Kept too." in text
    assert "An older run." not in text
    assert "Checks: all passed." in text
    assert first_number(row(text, "requests answered")) > 0
    lost = first_number(row(text, "requests lost (answered 502/504)"))
    in_flight = first_number(row(text, "in flight on the killed process"))
    assert lost <= in_flight
    assert row(text, "other errors (4xx, 5xx, sockets)") == "0"
    # Both processes answered: the load was shared before one of them died.
    assert row(text, "answered by each process").count("127.0.0.1:") == 2
    assert "(killed)" in row(text, "answered by each process")
    answered, stored = row(
        text, "uploads answered 2xx / in the database and S3 with their SHA-256"
    ).split(" / ")
    assert int(answered.replace(",", "")) > 0
    assert answered == stored
    submitted, found = row(text, "submissions answered 2xx / files found submitted").split(" / ")
    assert submitted == found
    assert row(text, "files submitted twice") == "0"
    assert "queue drained (0 failed)" in row(text, "tasks")


def test_the_template_names_every_application_process() -> None:
    apps = ["10.0.1.11:8000", "10.0.1.12:8000", "10.0.1.13:8000"]
    config = render_nginx(NGINX_TEMPLATE.read_text(encoding="utf-8"), VALUES, apps)
    servers = re.findall(r"^\s*server (\S+) max_fails=1 fail_timeout=5s;$", config, re.M)
    assert servers == apps
    body = [line for line in config.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in body if re.search(r"@[A-Z_]+@", line)]
    assert "listen 443 ssl;" in config
    assert "proxy_next_upstream error timeout;" in config
    # A POST in flight on a process that dies is never sent to another one.
    assert "non_idempotent" not in "\n".join(body)


def test_the_template_refuses_a_value_not_given() -> None:
    values = {key: value for key, value in VALUES.items() if key != "SERVER_NAME"}
    with pytest.raises(RuntimeError, match="SERVER_NAME"):
        render_nginx(NGINX_TEMPLATE.read_text(encoding="utf-8"), values, ["127.0.0.1:8000"])


def test_in_flight_requests_are_those_the_killed_process_had_taken(tmp_path: Path) -> None:
    killed, other = "127.0.0.1:5001", "127.0.0.1:5002"

    def line(what: str, method: str, upstream: str) -> str:
        return (
            f"2026/01/10 10:00:00 [error] 1#1: *3 {what} while reading response header from "
            f'upstream, client: 127.0.0.1, server: x, request: "{method} /a/ HTTP/1.1", '
            f'upstream: "http://{upstream}/a/", host: "x"'
        )

    log = tmp_path / "error.log"
    log.write_text(
        "\n".join(
            [
                line("upstream prematurely closed connection", "POST", killed),
                line("recv() failed (104: Connection reset by peer)", "GET", killed),
                # A 1 MB upload, buffered to a file, is sent to the process by sendfile().
                line("sendfile() failed (32: Broken pipe)", "POST", killed),
                # Refused: nothing was sent, nginx sent the request to the other process.
                line("connect() failed (111: Connection refused)", "POST", killed),
                line("upstream prematurely closed connection", "GET", other),
                "2026/01/10 10:00:00 [warn] 1#1: *3 upstream server temporarily disabled",
            ]
        ),
        encoding="utf-8",
    )
    found = cluster_checks.in_flight_failures(log, killed)
    assert [(item["method"], item["upstream"]) for item in found] == [
        ("POST", killed),
        ("GET", killed),
        ("POST", killed),
    ]
