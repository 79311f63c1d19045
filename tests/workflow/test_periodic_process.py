"""`periodic --loop` as the scheduler process of a scaled-out site, twice at once.

Two processes stand for two machines: both run the jobs every few hundredths of a second on
the same database; the email due is sent once, and both stop cleanly on SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.core.processes import environment, manage, start_manage
from tests.migrated_database import copy_sqlite
from tests.services.base import stop_process, wait_until
from tests.services.smtp import SmtpServer

QUEUE_ONE_EMAIL = """
import datetime as dt
from django.utils import timezone
from admissions.notify.models import Notification
Notification.objects.create(
    key="file_complete:event:1:someone@example.org", kind="file_complete", audience="candidate",
    to_address="someone@example.org", language="fr", subject="[IMT-BS] Votre dossier est complet",
    text="Bonjour,", html="<p>Bonjour,</p>", message_id="<one@admissions.example>",
    next_attempt_at=timezone.now() - dt.timedelta(hours=1),
)
"""
SHOW = """
from admissions.notify.models import Notification
from admissions.core.models import ScheduledJob
email = Notification.objects.get()
print(email.status, email.attempts, ScheduledJob.objects.get(name="deliver_due_emails").runs)
"""


@pytest.fixture
def site(tmp_path: Path, smtp_server: SmtpServer, migrated_sqlite: Path) -> dict[str, str]:
    smtp_server.received.clear()
    database = tmp_path / "admissions.sqlite3"
    copy_sqlite(migrated_sqlite, database)
    env = environment(
        tmp_path,
        DATABASE_URL=f"sqlite:///{database}",
        EMAIL_URL=smtp_server.url,
        TASKS="immediate",
    )
    queued = manage(env, "shell", "-v0", "-c", QUEUE_ONE_EMAIL)
    assert queued.returncode == 0, queued.stderr
    return env


def test_two_scheduler_processes_send_a_due_email_once(
    site: dict[str, str], tmp_path: Path, smtp_server: SmtpServer
) -> None:
    logs = [tmp_path / f"periodic-{n}.log" for n in (1, 2)]
    processes: list[subprocess.Popen[bytes]] = [
        start_manage(site, log, "periodic", "--loop", "--every", "0.005") for log in logs
    ]
    try:
        wait_until(lambda: len(smtp_server.received) >= 1, timeout=60, what="the email")
        time.sleep(2)  # many more runs of both loops
        for process in processes:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
    finally:
        for process in processes:
            stop_process(process)
    assert [m.recipients for m in smtp_server.received] == [["someone@example.org"]]
    for log in logs:
        output = log.read_text()
        assert "Running the periodic jobs every" in output
        assert output.rstrip().endswith("Stopped"), output
    shown = manage(site, "shell", "-v0", "-c", SHOW)
    status, attempts, runs = shown.stdout.split()
    assert (status, attempts) == ("sent", "1")
    assert int(runs) > 2  # both loops kept running the jobs
