"""Every file of the corpus through the real arrival checks, with a real clamd."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from admissions.applications.models import ApplicationEvent
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import DocumentVersion, QuarantinedFile, ScanStatus
from admissions.people.models import User
from tests.documents.conftest import Upload, stored
from tests.documents.corpus import ACCEPTED, CORPUS, INFECTED, Sample


@pytest.fixture
def scanned(settings: Settings, clamd: str) -> str:
    settings.CLAMD_ADDRESS = clamd
    return clamd


@pytest.mark.usefixtures("scanned")
@pytest.mark.parametrize("sample", CORPUS, ids=lambda sample: sample.name)
def test_each_sample_gets_its_expected_outcome(
    sample: Sample,
    upload: Upload,
    officer: User,
    media: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    data = sample.make()
    with django_capture_on_commit_callbacks(execute=True):
        result = upload(sample.requirement, data, sample.filename)
    document = result.document
    events = list(
        ApplicationEvent.objects.filter(application=document.application).values_list(
            "action", flat=True
        )
    )
    assert stored(media, "incoming") == []  # nothing left half-way, whatever the outcome
    if sample.expected == ACCEPTED:
        assert result.refusal is None, result.refusal and result.refusal.message
        assert document.state == DocumentState.ACCEPTED_ON_ARRIVAL
        version = DocumentVersion.objects.get(document=document)
        assert version.scan_status == ScanStatus.CLEAN
        assert version.size == len(data)
        assert len(version.sha256) == 64
        assert stored(media, "documents") == [version.file.name]
        assert "document.uploaded" in events
        return
    assert result.version is None
    assert not DocumentVersion.objects.filter(document=document).exists()
    assert stored(media, "documents") == []
    assert document.state == DocumentState.REFUSED_ON_ARRIVAL
    assert result.refusal is not None
    assert result.refusal.message  # a sentence, not a code
    if sample.expected == INFECTED:
        quarantined = QuarantinedFile.objects.get(application=document.application)
        assert quarantined.signature.startswith("Eicar-Test-Signature")
        assert stored(media, "quarantine") == [quarantined.storage_key]
        assert "document.infected" in events
        assert [message.to for message in mail.outbox] == [[officer.email]]
        assert document.application.reference in mail.outbox[0].subject
    else:
        assert result.refusal.code == sample.expected
        assert document.refusal_code == sample.expected
        assert stored(media, "quarantine") == []
        assert "document.refused_on_arrival" in events
        assert mail.outbox == []
