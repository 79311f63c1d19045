"""Upkeep: expired quarantine goes; the command reports what it did; the admin only shows."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from admissions.documents import housekeeping
from admissions.documents.models import QuarantinedFile
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload, stored


def test_quarantine_is_kept_for_its_period_then_purged(
    upload: Upload,
    settings: Settings,
    clamd: str,
    media: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.CLAMD_ADDRESS = clamd
    settings.DOCUMENTS_QUARANTINE_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        upload("cv", corpus.eicar())
    now = timezone.now()
    assert housekeeping.purge_quarantine(now + dt.timedelta(days=29)) == 0
    assert len(stored(media, "quarantine")) == 1
    assert housekeeping.purge_quarantine(now + dt.timedelta(days=31)) == 1
    assert stored(media, "quarantine") == []
    assert not QuarantinedFile.objects.exists()


def test_the_command_says_what_it_did(media: Path, db: None) -> None:
    out = io.StringIO()
    call_command("documents_upkeep", stdout=out)
    assert "abandoned uploads deleted: 0" in out.getvalue()


def test_the_admin_shows_documents_without_serving_files(
    client: Client, upload: Upload, db: None
) -> None:
    result = upload("cv", corpus.pdf())
    admin = User.objects.create_superuser("root@example.org", "a long password 123")
    client.force_login(admin)
    listing = client.get("/admin/documents/document/")
    assert listing.status_code == 200
    detail = client.get(f"/admin/documents/document/{result.document.pk}/change/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert result.version is not None
    assert result.version.sha256 in html
    assert result.version.file.name not in html  # no link to the storage key
    assert client.get("/admin/documents/quarantinedfile/").status_code == 200


def test_files_no_row_names_are_swept_after_a_day(
    upload: Upload, media: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """What a process killed between storing a file and committing its row leaves behind."""
    with django_capture_on_commit_callbacks(execute=True):
        kept = upload("cv", corpus.pdf())
    assert kept.version is not None
    for folder in ("documents", "quarantine"):
        (media / folder).mkdir(exist_ok=True)
        (media / folder / "left-by-a-killed-process").write_bytes(b"%PDF-1.4 half")
    now = timezone.now()  # the test's travelled clock: every file is written "now"
    for path in [*(media / "documents").iterdir(), *(media / "quarantine").iterdir()]:
        os.utime(path, (now.timestamp(), now.timestamp()))
    assert housekeeping.purge_orphans(now) == 0  # perhaps an upload still under way
    assert housekeeping.purge_orphans(now + dt.timedelta(days=2)) == 2
    assert stored(media, "documents") == [kept.version.file.name]
    assert stored(media, "quarantine") == []
    # The file a row names stays, however old.
    assert housekeeping.purge_orphans(now + dt.timedelta(days=400)) == 0
