"""Entry names written by legacy archivers come out as their author typed them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from admissions.applications.models import Application
from admissions.documents.zipimport import import_zip
from admissions.documents.zipnames import entry_name
from admissions.people.models import User
from tests.documents import corpus


def _zip_with_raw_name(raw: bytes, data: bytes, *, extra: bytes = b"") -> bytes:
    """A ZIP whose entry name is `raw` bytes with no UTF-8 flag, as old archivers write."""
    placeholder = b"N" * len(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo(placeholder.decode("ascii"))
        info.extra = extra
        archive.writestr(info, data)
    written = out.getvalue()
    assert written.count(placeholder) == 2  # the local header and the central directory
    return written.replace(placeholder, raw)


def _names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [entry_name(info) for info in archive.infolist()]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # macOS and recent tools: UTF-8 bytes, no flag (read as cp437: "Dipl├┤me").
        ("Diplôme/relevé.pdf".encode(), "Diplôme/relevé.pdf"),
        # Windows' archiver in Western Europe: code page 850, capitals included.
        ("ÉTUDES/Diplôme.pdf".encode("cp850"), "ÉTUDES/Diplôme.pdf"),
        # Plain ASCII is the same everywhere.
        (b"dossier/cv.pdf", "dossier/cv.pdf"),
        # A Windows separator is a folder.
        ("Dossier\\Diplôme.pdf".encode("cp850"), "Dossier/Diplôme.pdf"),
    ],
)
def test_names_without_the_utf8_flag(raw: bytes, expected: str) -> None:
    assert _names(_zip_with_raw_name(raw, b"x")) == [expected]


def test_the_utf8_flag_is_trusted() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Relevé de notes.pdf", b"x")  # Python sets the flag
    assert _names(out.getvalue()) == ["Relevé de notes.pdf"]


def test_the_info_zip_unicode_field_wins_over_the_legacy_bytes() -> None:
    raw = "Diplome.pdf".encode("cp850")
    field = struct.pack("<BI", 1, zlib.crc32(raw)) + "Diplôme.pdf".encode()
    extra = struct.pack("<HH", 0x7075, len(field)) + field
    assert _names(_zip_with_raw_name(raw, b"x", extra=extra)) == ["Diplôme.pdf"]
    # A field written for another name (the entry was renamed since) is not believed.
    stale = struct.pack("<BI", 1, zlib.crc32(b"other")) + b"Autre.pdf"
    extra = struct.pack("<HH", 0x7075, len(stale)) + stale
    assert _names(_zip_with_raw_name(raw, b"x", extra=extra)) == ["Diplome.pdf"]


def test_the_import_reports_the_real_names(application: Application, officer: User) -> None:
    data = _zip_with_raw_name("Études/cv.pdf".encode("cp850"), corpus.pdf())
    report = import_zip(application, io.BytesIO(data), by=officer)
    assert report.ok, report.problems
    assert [name for name, _version in report.imported] == ["Études/cv.pdf"]
