"""The antivirus: not configured, unreachable (scan later), and a threat found later."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from admissions.applications.models import ApplicationEvent
from admissions.documents import rescan
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document, QuarantinedFile, ScanStatus
from admissions.people.models import User
from tests.documents import corpus
from tests.documents.conftest import Upload, stored
from tests.services.base import LOOPBACK, free_port


@pytest.fixture
def clamd_down(settings: Settings) -> None:
    settings.CLAMD_ADDRESS = f"tcp://{LOOPBACK}:{free_port()}"  # nothing listens there
    settings.CLAMD_TIMEOUT = 2


@pytest.mark.usefixtures("clamd_down")
def test_an_unreachable_antivirus_defers_the_decision(upload: Upload) -> None:
    result = upload("cv", corpus.pdf())
    assert result.deferred
    assert not result.accepted
    document = Document.objects.get(pk=result.document.pk)
    assert document.state == DocumentState.CHECKING
    assert document.current_version is None
    assert result.version is not None
    assert result.version.scan_status == ScanStatus.ERROR
    assert "refused" in result.version.scan_detail
    assert ApplicationEvent.objects.filter(action="document.scan_deferred").exists()


@pytest.mark.usefixtures("clamd_down")
def test_the_file_is_refused_on_its_other_checks_even_unscanned(upload: Upload) -> None:
    result = upload("cv", corpus.docx(), "cv.pdf")
    assert result.refusal is not None
    assert result.version is None


def test_a_deferred_file_is_accepted_once_scanned_clean(
    upload: Upload, settings: Settings, clamd: str, clamd_down: None
) -> None:
    result = upload("cv", corpus.pdf())
    settings.CLAMD_ADDRESS = clamd
    call_command("documents_upkeep", stdout=_Sink())
    document = Document.objects.get(pk=result.document.pk)
    assert document.state == DocumentState.ACCEPTED_ON_ARRIVAL
    assert document.current_version_id == result.version.pk  # type: ignore[union-attr]
    assert document.current_version.scan_status == ScanStatus.CLEAN  # type: ignore[union-attr]
    # Idempotent: a second run finds nothing to do.
    assert rescan.pending_scans() == []


def test_a_deferred_file_found_infected_goes_to_quarantine(
    upload: Upload,
    settings: Settings,
    clamd: str,
    clamd_down: None,
    officer: User,
    media: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # EICAR is not a PDF: make the other checks pass by scanning a PDF whose stored bytes
    # are then swapped for the test virus, as if the first scan had been skipped.
    result = upload("cv", corpus.pdf())
    version = result.version
    assert version is not None
    (media / version.file.name).write_bytes(corpus.eicar())  # type: ignore[operator]
    settings.CLAMD_ADDRESS = clamd
    with django_capture_on_commit_callbacks(execute=True):
        assert rescan.retry_scan(version) == ScanStatus.INFECTED
    version.refresh_from_db()
    assert version.file.name == ""
    assert not version.servable
    quarantined = QuarantinedFile.objects.get(version=version)
    assert stored(media, "quarantine") == [quarantined.storage_key]
    assert stored(media, "documents") == []
    document = Document.objects.get(pk=result.document.pk)
    assert document.state == DocumentState.REFUSED_ON_ARRIVAL
    assert document.refusal_code == "infected"
    assert [message.to for message in mail.outbox] == [[officer.email]]


def test_a_late_clean_scan_does_not_replace_a_newer_file(
    upload: Upload, settings: Settings, clamd: str, clamd_down: None
) -> None:
    late = upload("cv", corpus.pdf())
    settings.CLAMD_ADDRESS = clamd
    newer = upload("cv", corpus.pdf(pages=2))
    assert rescan.retry_scan(late.version) == ScanStatus.CLEAN  # type: ignore[arg-type]
    document = Document.objects.get(pk=newer.document.pk)
    assert document.current_version == newer.version
    assert ApplicationEvent.objects.filter(action="document.scan_completed").exists()


def test_alerts_go_to_the_institution_when_no_officer_is_assigned(
    upload: Upload,
    settings: Settings,
    clamd: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.CLAMD_ADDRESS = clamd
    with django_capture_on_commit_callbacks(execute=True):
        result = upload("cv", corpus.eicar())
    institution = result.document.application.programme.institution
    assert [message.to for message in mail.outbox] == [[institution.contact_email]]


def test_officers_of_the_whole_institution_are_alerted_in_their_language(
    upload: Upload,
    settings: Settings,
    clamd: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    officer: User,
    foreign_officer: User,
) -> None:
    from admissions.people.models import Role
    from tests.factories import staff_member

    settings.CLAMD_ADDRESS = clamd
    institution_wide = staff_member(
        Role.ADMISSIONS_OFFICER,
        institution=officer.staff_roles.get().programme.institution,  # type: ignore[union-attr]
    )
    institution_wide.preferred_language = "en"
    institution_wide.save()
    with django_capture_on_commit_callbacks(execute=True):
        upload("cv", corpus.eicar())
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {officer.email, institution_wide.email}  # not the other programme
    assert "Infected file" in by_address[institution_wide.email].subject


class _Sink:
    def write(self, text: str) -> None:
        self.text = text

    def flush(self) -> None:
        pass
