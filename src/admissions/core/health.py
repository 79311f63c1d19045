"""What /healthz reports: whether each engine the platform needs answers right now.

A check is *required* when the platform cannot do its work without it; a required check
that is down makes the whole platform down (HTTP 503, the load balancer stops sending
traffic). Anything else that fails only degrades it. Error details stay short and generic:
the page is public, the full error goes to the log.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from admissions.core.antivirus import ClamdClient, ClamdError

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 5.0
PROBE_CONTENT = b"admissions health probe\n"


class Status(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"
    NOT_CONFIGURED = "not configured"


@dataclass(frozen=True)
class CheckResult:
    status: Status
    required: bool
    details: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"status": str(self.status), "required": self.required, **self.details}


@dataclass(frozen=True)
class Report:
    status: Status
    checks: dict[str, CheckResult]

    @property
    def down(self) -> bool:
        return self.status is Status.DOWN

    def as_json(self) -> dict[str, object]:
        return {
            "status": str(self.status),
            "checks": {name: result.as_json() for name, result in self.checks.items()},
        }


def check_database() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return CheckResult(Status.OK, required=True, details={"vendor": connection.vendor})


def check_storage() -> CheckResult:
    storage = storages["default"]
    name = storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(PROBE_CONTENT))
    try:
        with storage.open(name, "rb") as probe:
            content = probe.read()
    finally:
        storage.delete(name)
    if content != PROBE_CONTENT:
        return CheckResult(Status.DOWN, required=True, details={"error": "probe read back wrong"})
    return CheckResult(Status.OK, required=True)


def check_tasks() -> CheckResult:
    backend = task_backends["default"]
    if isinstance(backend, DatabaseBackend):
        return _check_database_tasks(backend.alias)
    if isinstance(backend, ImmediateBackend):
        return CheckResult(Status.OK, required=True, details={"backend": "immediate"})
    if type(backend).__module__.startswith("django_tasks_rq"):
        return _check_redis_tasks()
    return CheckResult(Status.OK, required=True, details={"backend": type(backend).__name__})


def _check_database_tasks(alias: str) -> CheckResult:
    minutes = int(getattr(settings, "TASKS_STALE_MINUTES", 15))
    cutoff = timezone.now() - timedelta(minutes=minutes)
    ready = DBTaskResult.objects.ready().filter(backend_name=alias)
    # Ready and due for longer than the cut-off: no worker is taking tasks.
    stale_count = (
        ready.filter(enqueued_at__lt=cutoff)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lt=cutoff))
        .count()
    )
    details: dict[str, object] = {
        "backend": "database",
        "ready": ready.count(),
        "stale": stale_count,
        "stale_after_minutes": minutes,
    }
    if stale_count:
        return CheckResult(Status.DEGRADED, required=True, details=details)
    return CheckResult(Status.OK, required=True, details=details)


def _check_redis_tasks() -> CheckResult:
    # Imported only where Redis is configured: the client costs a web process megabytes.
    import redis

    urls = sorted(
        {str(queue["URL"]) for queue in settings.RQ_QUEUES.values() if "URL" in queue}
        or {settings.REDIS_URL}
    )
    for url in urls:
        client = redis.Redis.from_url(
            url, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
    return CheckResult(Status.OK, required=True, details={"backend": "rq"})


def check_antivirus() -> CheckResult:
    required = bool(getattr(settings, "PRODUCTION", False))
    address = getattr(settings, "CLAMD_ADDRESS", "")
    if not address:
        if required:
            return CheckResult(Status.DOWN, required=True, details={"error": "not configured"})
        return CheckResult(Status.NOT_CONFIGURED, required=False)
    timeout = min(float(getattr(settings, "CLAMD_TIMEOUT", PROBE_TIMEOUT)), PROBE_TIMEOUT)
    try:
        ClamdClient(address, timeout=timeout).ping()
    except (ClamdError, ValueError) as error:
        logger.warning("Health check: clamd does not answer: %s", error)
        return CheckResult(Status.DOWN, required=required, details={"error": str(error)})
    return CheckResult(Status.OK, required=required)


CHECKS: dict[str, Callable[[], CheckResult]] = {
    "database": check_database,
    "storage": check_storage,
    "tasks": check_tasks,
    "antivirus": check_antivirus,
}


def _run(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:
        logger.exception("Health check %s failed", name)
        result = CheckResult(Status.DOWN, required=True, details={"error": type(error).__name__})
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return CheckResult(result.status, result.required, {**result.details, "ms": elapsed})


def run_checks() -> Report:
    results = {name: _run(name, check) for name, check in CHECKS.items()}
    if any(r.required and r.status is Status.DOWN for r in results.values()):
        overall = Status.DOWN
    elif any(r.status in (Status.DOWN, Status.DEGRADED) for r in results.values()):
        overall = Status.DEGRADED
    else:
        overall = Status.OK
    return Report(overall, results)
