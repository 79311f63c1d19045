"""A checked file is written to storage as it is held: in memory, the bytes object itself."""

from __future__ import annotations

import io
import tempfile

from admissions.documents import storage


def test_a_file_in_memory_is_written_whole_from_its_own_bytes() -> None:
    data = bytes(range(256)) * 4096
    stream = io.BytesIO()
    for start in range(0, len(data), 65536):
        stream.write(data[start : start + 65536])
    content = storage._HeldFile(stream)
    (piece,) = list(content.chunks())
    assert piece is stream.getvalue()  # the buffer itself, not a copy
    stream.seek(7)
    key = storage.write(storage.DOCUMENTS, stream, extension="pdf")
    try:
        with storage.open_file(key) as stored:
            assert stored.read() == data
        assert stream.tell() == 0
        with stream.getbuffer() as view:  # nothing holds its bytes any more
            assert bytes(view[:4]) == data[:4]
    finally:
        storage.delete_quietly(key)


def test_a_file_on_disk_is_written_as_before() -> None:
    data = b"%PDF-1.7 on disk" * 10_000
    with tempfile.TemporaryFile() as on_disk:
        on_disk.write(data)
        key = storage.write(storage.DOCUMENTS, on_disk, extension="pdf")
    try:
        with storage.open_file(key) as stored:
            assert stored.read() == data
    finally:
        storage.delete_quietly(key)
