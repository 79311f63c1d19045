"""Where document files live: the default storage (a private local folder, or S3), by prefix.

    incoming/<random>        a message's attachment being checked; deleted once it is done
    documents/<random>.<ext> a version's file, referenced by exactly one DocumentVersion
    quarantine/<random>      an infected file, referenced by a QuarantinedFile, never served

Keys are 256-bit random tokens, so knowing one application's keys tells nothing of another's;
and no URL maps to the storage: files leave it only through the download view. An upload
is checked from the request's own copy and written once, to its final key; storage has no
"move", so a file already stored elsewhere (a ZIP's entries, a message's attachment) is
copied (server-side on S3) and its incoming object deleted after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
from collections.abc import Iterator
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

INCOMING = "incoming"
DOCUMENTS = "documents"
QUARANTINE = "quarantine"


def storage() -> Storage:
    return default_storage


def new_key(prefix: str, extension: str = "") -> str:
    token = secrets.token_urlsafe(32)
    return f"{prefix}/{token}.{extension}" if extension else f"{prefix}/{token}"


def write(prefix: str, stream: IO[bytes], *, extension: str = "") -> str:
    """Store `stream` under a fresh key of `prefix`; returns the key."""
    return write_to(new_key(prefix, extension), stream)


def write_to(key: str, stream: IO[bytes]) -> str:
    """Store `stream` under `key` (a fresh `new_key`); returns the key written."""
    stream.seek(0)
    content = _HeldFile(stream) if isinstance(stream, io.BytesIO) else File(stream)
    try:
        key = storage().save(key, content)
    except BaseException:
        delete_quietly(key)  # a write that failed half-way may have left a part
        raise
    stream.seek(0)
    return key


class _HeldFile(File):  # type: ignore[type-arg]
    """A file held in memory, given to the storage as one piece: the bytes object it holds,
    where `File.chunks` would read copies of it 64 KiB at a time (a local folder writes the
    piece in one call; S3 reads the file itself, not its chunks)."""

    def __init__(self, held: io.BytesIO) -> None:
        super().__init__(held)
        self.held = held

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        self.held.seek(0)
        # The bytes object inside, not a copy; released once written, so that the buffer
        # is not shared when it is read again.
        yield self.held.getvalue()


def copy(source: str, target: str) -> str:
    """Copy the object at `source` to `target` (a fresh `new_key`); returns the key written.

    Callers note `target` before calling, so that a copy that fails half-way can be cleaned.
    """
    backend = storage()
    s3 = _s3_parts(backend)
    if s3 is not None:
        bucket, to_key = s3
        bucket.Object(to_key(target)).copy_from(
            CopySource={"Bucket": bucket.name, "Key": to_key(source)},
            MetadataDirective="COPY",
        )
        return target
    with backend.open(source, "rb") as handle:
        return backend.save(target, handle)


def open_file(key: str) -> IO[Any]:
    return storage().open(key, "rb")


def delete_quietly(*keys: str | None) -> None:
    """Delete objects, logging instead of raising: cleanup must not hide the first error."""
    for key in keys:
        if not key:
            continue
        try:
            storage().delete(key)
        except Exception:  # a cleanup failure is logged and swept later
            logger.exception("could not delete %s from document storage", key)


def exists(key: str) -> bool:
    return storage().exists(key)


def keys_under(prefix: str) -> Iterator[str]:
    """Every key under `prefix`, one level deep (keys have no deeper folders)."""
    try:
        _folders, files = storage().listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{prefix}/{name}"


def older_than(key: str, moment: dt.datetime) -> bool:
    try:
        modified = storage().get_modified_time(key)
    except (FileNotFoundError, NotImplementedError):
        return False
    if timezone.is_naive(modified):
        modified = timezone.make_aware(modified, dt.UTC)
    return modified < moment


def _s3_parts(backend: Storage) -> tuple[Any, Any] | None:
    """The boto3 bucket and key function of an S3 storage, for a server-side copy."""
    try:
        from storages.backends.s3 import S3Storage
        from storages.utils import clean_name
    except ImportError:  # django-storages absent: only local storage is possible
        return None
    if not isinstance(backend, S3Storage):
        return None

    def to_key(name: str) -> str:
        return str(backend._normalize_name(clean_name(name)))

    return backend.bucket, to_key
