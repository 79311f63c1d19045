"""The manifest of a backup archive: what it holds, and the figures a restore checks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import IO, Any

FORMAT = 1
NAME = "manifest.json"
FILES = "files/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """An archive that cannot be written or restored, with the reason in plain words."""


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


@dataclass
class Manifest:
    created_at: str
    version: str
    vendor: str  # "sqlite" or "postgresql"
    database_member: str
    database_size: int
    database_sha256: str
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    files: list[StoredFile] = field(default_factory=list)
    # Names that rows of the database refer to but the storage did not hold at backup time.
    missing_files: list[str] = field(default_factory=list)
    format: int = FORMAT

    @property
    def files_bytes(self) -> int:
        return sum(stored.size for stored in self.files)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw: dict[str, Any] = json.loads(data)
        except ValueError as error:
            raise BackupError(f"the manifest is not JSON: {error}") from None
        if raw.get("format") != FORMAT:
            found = raw.get("format")
            raise BackupError(f"archive format {found!r} is unknown: this version reads {FORMAT}")
        raw["files"] = [StoredFile(**stored) for stored in raw["files"]]
        return cls(**raw)


class HashingReader:
    """A file object that computes the SHA-256 and size of what is read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._hash.update(data)
        self.size += len(data)
        return data

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def digest(stream: IO[bytes]) -> tuple[int, str]:
    """Size and SHA-256 of the rest of `stream`."""
    reader = HashingReader(stream)
    while reader.read(CHUNK):
        pass
    return reader.size, reader.sha256
