"""A file's bytes behind a descriptor that another process can read them from.

clamd (FILDES) and the PDF check's child read a file by descriptor instead of receiving its
bytes through a socket. A file on disk hands its own descriptor; a file held in memory (an
upload of up to `FILE_UPLOAD_MAX_MEMORY_SIZE`) is copied once to an anonymous in-memory file
(`memfd`), and that one copy can serve every reader of the same file.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from tempfile import SpooledTemporaryFile
from types import TracebackType
from typing import IO, BinaryIO, cast

COPY_BYTES = 1024 * 1024


def whole_regular_file(fileobj: IO[bytes]) -> bool:
    """Whether `fileobj` is at the start of a regular file that holds its bytes and no more."""
    if any(
        isinstance(candidate, SpooledTemporaryFile)
        for candidate in (fileobj, getattr(fileobj, "file", None))
    ):
        return False  # asked for its descriptor, it would write itself to disk first
    try:
        descriptor = fileobj.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return False
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or fileobj.tell() != 0:
        return False
    length = fileobj.seek(0, os.SEEK_END)
    fileobj.seek(0)
    return length == status.st_size


def memory_copy(fileobj: IO[bytes]) -> int | None:
    """A descriptor of an anonymous in-memory file holding `fileobj` from its position to its
    end (the caller closes it); None where the system has no such file."""
    if not hasattr(os, "memfd_create"):
        return None
    copy = os.memfd_create("admissions-file", os.MFD_CLOEXEC)
    try:
        _copy_into(fileobj, copy)
    except BaseException:
        os.close(copy)
        raise
    return copy


def _copy_into(fileobj: IO[bytes], descriptor: int) -> None:
    getbuffer = getattr(fileobj, "getbuffer", None)
    if getbuffer is None:
        with open(descriptor, "wb", closefd=False) as target:
            shutil.copyfileobj(fileobj, target, COPY_BYTES)
        return
    # In memory (`io.BytesIO`): its buffer written as it is, without reading it into a copy.
    start = fileobj.tell()
    with getbuffer() as view:
        rest = view[start:]
        written = 0
        while written < len(rest):
            written += os.write(descriptor, rest[written:])
        fileobj.seek(start + written)


class ByDescriptor:
    """The whole content of a stream as a file with a descriptor, made when first asked for:
    the stream itself when it is a whole regular file, else one copy (in memory where the
    system allows it, otherwise an unnamed temporary file) kept until `close`."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._copy: BinaryIO | None = None

    def file(self) -> BinaryIO:
        """A binary file at its start, with a descriptor, holding the stream's bytes."""
        if self._copy is not None:
            self._copy.seek(0)
            return self._copy
        self.stream.seek(0)
        if whole_regular_file(self.stream):
            self.stream.flush()  # the other process reads the file, not our buffer
            return cast(BinaryIO, self.stream)
        descriptor = memory_copy(self.stream)
        if descriptor is None:
            copy = cast(BinaryIO, tempfile.TemporaryFile())  # noqa: SIM115 - closed by `close`
            shutil.copyfileobj(self.stream, copy, COPY_BYTES)
            copy.flush()
        else:
            copy = open(descriptor, "rb")  # noqa: SIM115 - closed by `close`
        self.stream.seek(0)
        copy.seek(0)
        self._copy = copy
        return copy

    def close(self) -> None:
        if self._copy is not None:
            self._copy.close()
            self._copy = None

    def __enter__(self) -> ByDescriptor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
