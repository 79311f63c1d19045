"""A file held in memory is hashed and checked from its own buffer; one on disk as before."""

from __future__ import annotations

import hashlib
import io
import tempfile

from admissions.documents.inmemory import held_bytes
from admissions.documents.intake import sha256_of
from admissions.documents.pdfcheck import inspect_pdf
from tests.documents import corpus


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
