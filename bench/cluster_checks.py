"""What `cluster.py` checks after the load: nginx's accounting, the data, the task queue.

nginx writes one JSON line per request (deploy/nginx.conf's `upstreams` format): its final
status and every application process tried, with each one's status. A request the killed
process was serving shows in nginx's error log as an upstream that closed or reset the
connection; one nginx could not even send to it shows as a refused connection (not in
flight: nginx sends it to the other process, whatever its method).
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

# Statuses nginx gives when no application process answered.
LOST = (502, 504)
# Set by nginx when the client closed the connection first (wrk at the end of its time).
CLIENT_CLOSED = 499
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# nginx's error log: a request that failed on an application process, and on which one.
# Whatever failed counts: a buffered upload goes out by sendfile(), a small one by writev(),
# the answer comes back by recv() or readv(), or the process closed the connection or timed out.
UPSTREAM_ERROR = re.compile(
    r"\[(?:error|crit)\] \d+#\d+: \*\d+ (?P<what>.+?) while "
    r".*?request: \"(?P<method>[A-Z]+) (?P<uri>\S+) [^\"]*\", upstream: \"http://(?P<upstream>[^/\"]+)"
)
POLL_SECONDS = 0.5


def access_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def in_flight_failures(error_log: Path, killed: str) -> list[dict[str, str]]:
    """Requests the killed process had taken when it died: not refused connections."""
    found = []
    for line in error_log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = UPSTREAM_ERROR.search(line)
        if not match or match["upstream"] != killed:
            continue
        if not match["what"].startswith("connect() failed"):
            found.append(match.groupdict())
    return found


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def drain(redis_url: str, seconds: float) -> dict[str, int]:
    """Wait, bounded, until no task waits or runs and no email waits to be sent."""
    from django.db.models import Q
    from redis import Redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    from admissions.notify.models import Notification, Status

    connection = Redis.from_url(f"{redis_url}/0")
    queue = Queue("default", connection=connection)
    started = StartedJobRegistry(queue=queue)
    waiting = Q(status__in=[Status.QUEUED, Status.SENDING])
    deadline = time.monotonic() + seconds
    while True:
        state = {
            "queued": queue.count,
            "running": started.count,
            "emails_waiting": Notification.objects.filter(waiting).count(),
        }
        if not any(state.values()) or time.monotonic() > deadline:
            break
        time.sleep(POLL_SECONDS)
    state["failed"] = FailedJobRegistry(queue=queue).count
    state["emails_sent"] = Notification.objects.filter(status=Status.SENT).count()
    state["emails_failed"] = (
        Notification.objects.exclude(waiting).exclude(status=Status.SENT).count()
    )
    connection.close()
    return state


def stored_files() -> tuple[int, list[str]]:
    """Every document version in the database is in object storage, with its SHA-256."""
    from django.core.files.storage import default_storage

    from admissions.documents.models import DocumentVersion

    problems = []
    count = 0
    for version in DocumentVersion.objects.order_by("pk").iterator():
        count += 1
        try:
            with default_storage.open(version.file.name, "rb") as stored:
                digest = hashlib.sha256(stored.read()).hexdigest()
        except OSError as error:
            problems.append(f"{version.file.name}: {error}")
            continue
        if digest != version.sha256:
            problems.append(f"{version.file.name}: SHA-256 {digest} != {version.sha256}")
    return count, problems


def submissions_twice() -> int:
    """Files whose history records the submission more than once."""
    from django.db.models import Count

    from admissions.applications.models import ApplicationEvent

    return (
        ApplicationEvent.objects.filter(action="application.submit")
        .values("application")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )


def check(
    *,
    access_log: Path,
    error_log: Path,
    killed: str,
    survivor: str,
    killed_at: float | None,
    load_started: float,
    load_seconds: float,
    outcome: Any,
    load: Any,
    drained: dict[str, int],
    smtp: Any,
    redis_url: str,
) -> dict[str, Any]:
    # Only the load: the checks and the warm-up before it are left out.
    records = [r for r in access_records(access_log) if r["msec"] >= load_started]
    failures: list[str] = []
    if killed_at is None:
        failures.append("the application process was not killed: the load ended first")
    in_flight = in_flight_failures(error_log, killed)
    closed = [r for r in records if r["status"] == CLIENT_CLOSED]
    lost = [r for r in records if r["status"] in LOST]
    answered = [r for r in records if r["status"] < 500 and r["status"] != CLIENT_CLOSED]
    errors = [r for r in answered if r["status"] >= 400]
    errors += [r for r in records if r["status"] >= 500 and r["status"] not in LOST]
    retried = [r for r in records if "," in r["upstream"] and r["status"] < 500]
    by_upstream: dict[str, int] = {}
    for record in answered:
        last = record["upstream"].split(",")[-1].strip()
        by_upstream[last] = by_upstream.get(last, 0) + 1
    if len(lost) > len(in_flight):
        failures.append(f"{len(lost)} requests lost, more than the {len(in_flight)} in flight")
    for record in lost:
        first = record["upstream"].split(",")[0].strip()
        if first != killed or record["method"] in IDEMPOTENT:
            failures.append(
                f"lost {record['method']} {record['uri']} on {record['upstream']}: not a "
                "non-idempotent request in flight on the killed process"
            )
    if errors:
        sample = ", ".join(f"{r['method']} {r['uri']} {r['status']}" for r in errors[:5])
        failures.append(f"{len(errors)} requests answered an error: {sample}")
    if outcome.socket_errors:
        failures.append(f"the load tool saw {outcome.socket_errors} socket errors")
    if outcome.wraps:
        failures.append(f"the load ran out of prepared requests ({outcome.wraps} wraps)")
    if killed_at is not None:
        after = [r for r in answered if r["msec"] > killed_at + 1]
        if after and not all(survivor in r["upstream"] for r in after):
            failures.append("requests were answered by the killed process after its death")
        if not any(survivor in r["upstream"] for r in after):
            failures.append("no request was answered after the kill")
    data, data_failures = load.verify(records)
    failures += data_failures
    files, file_problems = stored_files()
    data["document versions in the database, each in S3 with its SHA-256"] = f"{files:,}" + (
        f" ({len(file_problems)} missing or different)" if file_problems else ""
    )
    failures += file_problems[:10]
    twice = submissions_twice()
    data["files submitted twice"] = str(twice)
    if twice:
        failures.append(f"{twice} files submitted twice")
    if drained["queued"] or drained["running"] or drained["emails_waiting"]:
        failures.append(f"tasks not drained: {drained}")
    if drained["failed"]:
        failures.append(f"{drained['failed']} tasks failed")
    if len(smtp.received) < drained["emails_sent"]:
        failures.append(
            f"{drained['emails_sent']} emails marked sent, {len(smtp.received)} received"
        )
    seconds = [float(r["seconds"]) * 1000 for r in answered]
    figures = {
        "answered": len(answered),
        "load_seconds": load_seconds,
        "rate": len(answered) / load_seconds if load_seconds else 0.0,
        "p50": statistics.median(seconds) if seconds else 0.0,
        "p95": percentile(seconds, 0.95),
        "p99": percentile(seconds, 0.99),
        "by_upstream": ", ".join(
            f"{address}{' (killed)' if address == killed else ''}: {count:,}"
            for address, count in sorted(by_upstream.items())
        ),
        "in_flight": len(in_flight),
        "retried": len(retried),
        "lost": len(lost),
        "lost_detail": kinds(lost),
        "errors": len(errors) + outcome.socket_errors,
        "client_closed": len(closed),
    }
    tasks = (
        f"queue drained ({drained['failed']} failed); {drained['emails_sent']:,} emails sent, "
        f"{len(smtp.received):,} received by the SMTP sink"
    )
    return {
        "figures": figures,
        "data": data,
        "tasks": tasks,
        "failures": failures,
        "killed": killed,
    }


def kinds(records: list[dict[str, Any]]) -> str:
    """`3 POST /api/v1/documents/…`: the requests counted by method and leading path."""
    counted: dict[str, int] = {}
    for record in records:
        path = "/".join(record["uri"].split("?")[0].split("/")[:4])
        key = f"{record['method']} {path}/…"
        counted[key] = counted.get(key, 0) + 1
    return ", ".join(f"{count} {key}" for key, count in sorted(counted.items()))
