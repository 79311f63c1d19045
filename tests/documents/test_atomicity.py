"""Whatever fails during an upload, no half file is referenced and no orphan is left."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from admissions.applications.models import ApplicationEvent
from admissions.documents import housekeeping, services, storage
from admissions.documents.models import Document, DocumentVersion
from tests.documents import corpus
from tests.documents.conftest import Upload, stored


class PowerCutError(Exception):
    pass


def cut(*args: Any, **kwargs: Any) -> None:
    raise PowerCutError


def test_a_failure_after_the_copy_rolls_everything_back(
    upload: Upload, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The version row and the final object exist when the history is written: fail there.
    monkeypatch.setattr(services, "make_current", cut)
    with pytest.raises(PowerCutError):
        upload("cv", corpus.pdf())
    assert not DocumentVersion.objects.exists()
    assert not Document.objects.exists()
    assert not ApplicationEvent.objects.filter(action__startswith="document.").exists()
    assert stored(media, "documents") == []
    assert stored(media, "incoming") == []


def test_a_write_that_fails_half_way_leaves_nothing(
    upload: Upload, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_save = storage.storage().save

    def half_write(key: str, stream: Any) -> str:
        stream.seek(0)
        real_save(key, _Half(stream.read()))
        raise PowerCutError

    monkeypatch.setattr(storage, "write_to", half_write)
    with pytest.raises(PowerCutError):
        upload("cv", corpus.pdf())
    assert not DocumentVersion.objects.exists()
    assert stored(media, "documents") == []
    assert stored(media, "incoming") == []


class _Half:
    """A file object holding the first half of some bytes, as a broken copy writes."""

    def __init__(self, data: bytes) -> None:
        from django.core.files.base import ContentFile

        self._file = ContentFile(data[: len(data) // 2])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def test_a_failure_keeps_the_previous_version_intact(
    upload: Upload,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = upload("cv", corpus.pdf())
    before = stored(media, "documents")
    monkeypatch.setattr(services, "make_current", cut)
    with pytest.raises(PowerCutError):
        upload("cv", corpus.pdf(pages=2))
    document = Document.objects.get(pk=first.document.pk)
    assert document.current_version == first.version
    assert document.versions.count() == 1
    assert stored(media, "documents") == before


def test_an_upload_writes_its_file_once_to_its_final_key(
    upload: Upload,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    monkeypatch.setattr(storage, "copy", cut)  # no second write of the same bytes
    data = corpus.pdf()
    with django_capture_on_commit_callbacks(execute=False):
        result = upload("cv", data)
        assert result.version is not None
        # Before the commit already: nothing went through incoming/.
        assert stored(media, "incoming") == []
        assert stored(media, "documents") == [result.version.file.name]
    assert (media / result.version.file.name).read_bytes() == data


def test_what_a_dead_process_left_in_incoming_is_swept(media: Path) -> None:
    import io

    old = storage.write(storage.INCOMING, io.BytesIO(b"left by a crash"))
    fresh = storage.write(storage.INCOMING, io.BytesIO(b"an upload under way"))
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(media / old, (two_days_ago, two_days_ago))
    assert housekeeping.purge_incoming(timezone.now()) == 1
    assert stored(media, "incoming") == [fresh]
    assert housekeeping.purge_incoming(timezone.now() + dt.timedelta(days=2)) == 1
    assert stored(media, "incoming") == []
