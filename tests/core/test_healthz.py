"""/healthz against real engines: the test database, folders, Redis, clamd and S3."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from admissions.core.tasks import echo
from tests.services.base import LOOPBACK, free_port
from tests.services.s3 import S3Server

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def _health(client: Client) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def _closed_port() -> str:
    return f"tcp://{LOOPBACK}:{free_port()}"


def test_embedded_defaults_are_healthy(client: Client, settings: Settings) -> None:
    settings.CLAMD_ADDRESS = ""
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "tasks", "antivirus"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["storage"]["status"] == "ok"
    assert body["checks"]["tasks"] == {**body["checks"]["tasks"], "status": "ok"}
    assert body["checks"]["tasks"]["backend"] == "immediate"
    assert body["checks"]["antivirus"]["status"] == "not configured"
    assert body["checks"]["antivirus"]["required"] is False


def test_the_storage_probe_leaves_nothing_behind(client: Client, settings: Settings) -> None:
    assert _health(client)[0] == 200
    probes = Path(settings.MEDIA_ROOT) / "healthz"
    assert not probes.exists() or not any(probes.iterdir())


def test_answers_head_and_refuses_post(client: Client) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_is_never_cached(client: Client) -> None:
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_clamd_answering_is_ok(client: Client, settings: Settings, clamd: str) -> None:
    settings.CLAMD_ADDRESS = clamd
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["antivirus"]["status"] == "ok"


def test_clamd_down_only_degrades_development(client: Client, settings: Settings) -> None:
    settings.CLAMD_ADDRESS = _closed_port()
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["antivirus"]["status"] == "down"
    assert "refused" in body["checks"]["antivirus"]["error"]


def test_clamd_down_in_production_is_down(client: Client, settings: Settings) -> None:
    settings.PRODUCTION = True
    settings.CLAMD_ADDRESS = _closed_port()
    status, body = _health(client)
    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["antivirus"] == {**body["checks"]["antivirus"], "required": True}


def test_clamd_missing_in_production_is_down(client: Client, settings: Settings) -> None:
    settings.PRODUCTION = True
    settings.CLAMD_ADDRESS = ""
    status, body = _health(client)
    assert status == 503
    assert body["checks"]["antivirus"]["status"] == "down"
    assert body["checks"]["antivirus"]["error"] == "not configured"


def test_clamd_answering_in_production_is_ok(
    client: Client, settings: Settings, clamd: str
) -> None:
    settings.PRODUCTION = True
    settings.CLAMD_ADDRESS = clamd
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"


def test_database_task_queue_is_counted(client: Client, settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_STALE_MINUTES = 10
    echo.enqueue("fresh")
    status, body = _health(client)
    assert status == 200
    assert body["checks"]["tasks"]["backend"] == "database"
    assert body["checks"]["tasks"]["ready"] == 1
    assert body["checks"]["tasks"]["stale"] == 0
    assert body["status"] == "ok"


def test_tasks_waiting_too_long_degrade(client: Client, settings: Settings) -> None:
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_STALE_MINUTES = 10
    waiting = echo.enqueue("forgotten")
    scheduled = echo.using(run_after=timezone.now() + timedelta(hours=1)).enqueue("later")
    long_ago = timezone.now() - timedelta(minutes=11)
    DBTaskResult.objects.filter(id__in=[waiting.id, scheduled.id]).update(enqueued_at=long_ago)
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["tasks"]["status"] == "degraded"
    # The scheduled task is not due yet: only the forgotten one is stale.
    assert body["checks"]["tasks"]["stale"] == 1


def test_redis_answering_is_ok(client: Client, settings: Settings, redis_server: str) -> None:
    settings.TASKS = RQ_TASKS
    settings.RQ_QUEUES = {"default": {"URL": redis_server}}
    status, body = _health(client)
    assert status == 200
    assert body["checks"]["tasks"] == {**body["checks"]["tasks"], "status": "ok", "backend": "rq"}


def test_redis_down_is_down(client: Client, settings: Settings) -> None:
    settings.TASKS = RQ_TASKS
    settings.RQ_QUEUES = {"default": {"URL": f"redis://{LOOPBACK}:{free_port()}/0"}}
    status, body = _health(client)
    assert status == 503
    assert body["status"] == "down"
    assert body["checks"]["tasks"]["status"] == "down"
    assert body["checks"]["tasks"]["error"] == "ConnectionError"


def test_unwritable_storage_is_down(client: Client, settings: Settings, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    status, body = _health(client)
    assert status == 503
    assert body["checks"]["storage"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"


def test_object_storage_is_probed(client: Client, settings: Settings, s3_server: S3Server) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_server.storage_options(),
        },
    }
    status, body = _health(client)
    assert status == 200
    assert body["checks"]["storage"]["status"] == "ok"
    listed = s3_server.client().list_objects_v2(Bucket=s3_server.bucket, Prefix="healthz/")
    assert listed.get("KeyCount", 0) == 0
