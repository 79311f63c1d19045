"""A file's bytes behind a descriptor: a file on disk as it is, one in memory copied once."""

from __future__ import annotations

import io
import os
import tempfile

import pytest

from admissions.core.filedescriptors import ByDescriptor, memory_copy, whole_regular_file


def read_all(descriptor: int) -> bytes:
    return os.pread(descriptor, 1 << 20, 0)


def test_a_copy_in_memory_holds_the_rest_from_the_position() -> None:
    stream = io.BytesIO(b"0123456789")
    stream.seek(4)
    descriptor = memory_copy(stream)
    assert descriptor is not None
    try:
        assert read_all(descriptor) == b"456789"
        assert stream.tell() == 10
    finally:
        os.close(descriptor)


def test_a_stream_without_a_buffer_is_copied_from_its_position() -> None:
    with tempfile.TemporaryFile() as source:
        source.write(b"abcdef")
        source.seek(2)
        descriptor = memory_copy(source)
        assert descriptor is not None
        try:
            assert read_all(descriptor) == b"cdef"
        finally:
            os.close(descriptor)


def test_a_file_on_disk_is_handed_as_it_is_with_its_writes() -> None:
    with tempfile.TemporaryFile() as on_disk:
        on_disk.write(b"written but not flushed")
        with ByDescriptor(on_disk) as held:
            assert held.file() is on_disk
            assert read_all(on_disk.fileno()) == b"written but not flushed"
        assert not on_disk.closed  # the caller's file stays open


def test_a_file_in_memory_is_copied_once_and_closed_at_the_end() -> None:
    stream = io.BytesIO(b"%PDF-1.7 content")
    stream.seek(5)
    with ByDescriptor(stream) as held:
        first = held.file()
        assert whole_regular_file(first)
        assert read_all(first.fileno()) == b"%PDF-1.7 content"
        assert stream.tell() == 0
        first.read(3)
        second = held.file()
        assert second is first  # one copy, rewound for each reader
        assert second.tell() == 0
    assert first.closed


def test_a_copy_is_on_disk_where_there_is_no_file_in_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(os, "memfd_create")
    with ByDescriptor(io.BytesIO(b"bytes")) as held:
        copy = held.file()
        assert whole_regular_file(copy)
        assert read_all(copy.fileno()) == b"bytes"
    assert copy.closed


def copies_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []
    create = os.memfd_create

    def counted(name: str, flags: int = os.MFD_CLOEXEC) -> int:
        made.append(1)
        return create(name, flags)

    monkeypatch.setattr(os, "memfd_create", counted)
    return made


def test_nothing_is_copied_when_no_reader_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    made = copies_counted(monkeypatch)
    stream = io.BytesIO(b"data")
    with ByDescriptor(stream):
        pass
    assert made == []
    stream.write(b"more")  # no view of its buffer is left
