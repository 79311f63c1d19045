"""A file held in memory is hashed from its own buffer and copied once for the readers that
need a descriptor (clamd, the PDF check's child); one on disk is read where it is."""

from __future__ import annotations

import hashlib
import io
import tempfile
from decimal import Decimal

import pytest
from pytest_django.fixtures import Settings

from admissions.documents.inmemory import held_bytes
from admissions.documents.intake import Infected, ScanOutcome, check_file, sha256_of
from admissions.documents.pdfcheck import inspect_pdf
from admissions.rules.schema import DocumentRequirement
from tests.core.test_filedescriptors import copies_counted
from tests.documents import corpus
from tests.services.clamd import EICAR, Clamd

PDF_OR_JPEG = DocumentRequirement.model_validate(
    {
        "code": "cv",
        "label": {"fr": "CV", "en": "CV"},
        "formats": ["pdf", "jpeg"],
        "max_size_mb": Decimal(5),
    }
)


def test_a_stream_in_memory_is_seen_whole_wherever_it_stands() -> None:
    stream = io.BytesIO(b"0123456789")
    stream.seek(4)
    with held_bytes(stream) as held:
        assert held is not None
        assert bytes(held) == b"0123456789"
    stream.write(b"more")  # the buffer is released: the stream may grow again
    assert stream.getvalue() == b"0123more89"


def test_a_file_on_disk_is_not_held() -> None:
    with tempfile.TemporaryFile() as stream, held_bytes(stream) as held:
        assert held is None


def test_the_digest_is_the_same_in_memory_and_on_disk() -> None:
    data = corpus.pdf(pages=2)
    in_memory = io.BytesIO(data)
    in_memory.seek(7)
    with tempfile.TemporaryFile() as on_disk:
        on_disk.write(data)
        on_disk.seek(3)
        assert sha256_of(in_memory) == sha256_of(on_disk) == hashlib.sha256(data).hexdigest()
        assert in_memory.tell() == on_disk.tell() == 0


def test_a_pdf_is_checked_in_memory_and_on_disk_alike() -> None:
    data = corpus.pdf(pages=3)
    in_memory = io.BytesIO(data)
    with tempfile.TemporaryFile() as on_disk:
        on_disk.write(data)
        assert inspect_pdf(in_memory, max_pages=None).pages == 3
        assert inspect_pdf(on_disk, max_pages=None).pages == 3
        assert in_memory.tell() == on_disk.tell() == 0


def test_clamd_and_the_pdf_check_read_one_copy_of_a_file_in_memory(
    settings: Settings, clamd_daemon: Clamd, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CLAMD_ADDRESS = clamd_daemon.unix_address
    made = copies_counted(monkeypatch)
    stream = io.BytesIO(corpus.pdf(pages=2))
    checked = check_file(stream, requirement=PDF_OR_JPEG)
    assert (checked.scan, checked.pages) == (ScanOutcome.CLEAN, 2)
    assert len(made) == 1
    assert stream.tell() == 0
    with pytest.raises(Infected):
        check_file(io.BytesIO(EICAR), requirement=PDF_OR_JPEG)


def test_a_file_on_disk_is_read_by_both_without_a_copy(
    settings: Settings, clamd_daemon: Clamd, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CLAMD_ADDRESS = clamd_daemon.unix_address
    made = copies_counted(monkeypatch)
    with tempfile.TemporaryFile() as on_disk:
        on_disk.write(corpus.pdf(pages=3))
        checked = check_file(on_disk, requirement=PDF_OR_JPEG)
    assert (checked.scan, checked.pages) == (ScanOutcome.CLEAN, 3)
    assert made == []


def test_over_tcp_the_copy_serves_the_pdf_check_alone(
    settings: Settings, clamd: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CLAMD_ADDRESS = clamd  # streamed: clamd is not handed a descriptor
    made = copies_counted(monkeypatch)
    checked = check_file(io.BytesIO(corpus.pdf()), requirement=PDF_OR_JPEG)
    assert (checked.scan, checked.pages) == (ScanOutcome.CLEAN, 1)
    assert len(made) == 1
    with pytest.raises(Infected):
        check_file(io.BytesIO(EICAR), requirement=PDF_OR_JPEG)
