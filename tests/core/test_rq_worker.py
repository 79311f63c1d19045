"""The scaled-out task path: tasks queued in Redis and run by an RQ worker process."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

from tests.core.processes import ENQUEUE_AND_WAIT, environment, last_line, manage, start_manage
from tests.services.base import stop_process


def test_rq_worker_runs_a_task_queued_in_redis(redis_server: str, tmp_path: Path) -> None:
    env = environment(tmp_path, TASKS="rq", REDIS_URL=redis_server)
    log = tmp_path / "rqworker.log"
    worker = start_manage(env, log, "rqworker", "--job-class", "django_tasks_rq.Job", "default")
    try:
        token = uuid.uuid4().hex
        done = manage(env, "shell", "-v0", "-c", ENQUEUE_AND_WAIT.format(token=token))
        assert done.returncode == 0, done.stderr
        assert last_line(done.stdout).split() == ["SUCCESSFUL", token], log.read_text()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0, log.read_text()
    finally:
        stop_process(worker)
