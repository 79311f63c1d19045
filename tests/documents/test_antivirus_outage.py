"""The antivirus daemon down: an upload is kept and shown "being checked", not an error; the
upkeep job scans it once the daemon answers again."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from admissions.applications.models import Application
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document, ScanStatus
from admissions.people.models import User
from tests.documents import corpus
from tests.services.clamd import RestartableClamd


def test_clamd_down_keeps_the_upload_and_scans_it_when_back(
    settings: Settings,
    restartable_clamd: RestartableClamd,
    application: Application,
    candidate: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.CLAMD_ADDRESS = restartable_clamd.address
    settings.CLAMD_TIMEOUT = 2
    client = Client()
    client.force_login(candidate)
    with translation.override("fr"):
        upload = reverse("documents:upload", args=[application.reference, "cv"])
        listing = reverse("documents:list", args=[application.reference])

    restartable_clamd.stop()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(upload, {"file": io.BytesIO(corpus.pdf()), "valid_until": ""})
    assert sent.status_code == 302
    document = Document.objects.get(application=application, requirement_code="cv")
    assert document.state == DocumentState.CHECKING
    version = document.versions.get()
    assert version.scan_status == ScanStatus.ERROR
    page = client.get(listing, headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "En cours de vérification" in page.content.decode()

    restartable_clamd.start()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("documents_upkeep", stdout=io.StringIO())
    document.refresh_from_db()
    version.refresh_from_db()
    assert document.state == DocumentState.ACCEPTED_ON_ARRIVAL
    assert document.current_version_id == version.pk
    assert version.scan_status == ScanStatus.CLEAN
