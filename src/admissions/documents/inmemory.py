"""A file's bytes read where they already are, when the request holds them in memory.

An upload of up to `FILE_UPLOAD_MAX_MEMORY_SIZE` arrives as an in-memory file (`io.BytesIO`
inside): its buffer can be hashed and handed to the PDF check as it is, where reading it
would copy the whole file each time (a fresh megabyte of memory, its pages faulted in).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO


@contextmanager
def held_bytes(stream: IO[bytes]) -> Iterator[memoryview | None]:
    """The whole content of `stream` without a copy when it is held in memory, else None.

    The view must not outlive the block: the stream cannot grow while it is exported.
    """
    getbuffer = getattr(stream, "getbuffer", None)
    if getbuffer is None:
        yield None
        return
    with getbuffer() as view:
        yield view
