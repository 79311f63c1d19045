"""The real type of a file, by its first bytes."""

from __future__ import annotations

import pytest

from admissions.documents.sniffing import FileKind, sniff_bytes
from tests.documents import corpus


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (corpus.pdf(), FileKind.PDF),
        (corpus.jpeg(), FileKind.JPEG),
        (corpus.png(), FileKind.PNG),
        (corpus.docx(), FileKind.DOCX),
        (corpus.zip_of({"a.txt": b"hello"}), FileKind.ZIP),
        (corpus.future_version_zip(), FileKind.ZIP),  # zipfile cannot open it: still a ZIP
        (corpus.image("GIF", 10, 10), FileKind.GIF),
        (corpus.image("WEBP", 10, 10), FileKind.WEBP),
        (corpus.image("TIFF", 10, 10), FileKind.TIFF),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, FileKind.OLE),
        (b"{\\rtf1\\ansi hello}", FileKind.RTF),
        (b"MZ\x90\x00" + b"\0" * 60, FileKind.EXECUTABLE),
        (b"\x7fELF\x02\x01", FileKind.EXECUTABLE),
        (b"\x1f\x8b\x08\x00", FileKind.GZIP),
        (b"Rar!\x1a\x07\x01\x00", FileKind.RAR),
        (b"  <!DOCTYPE html><html></html>", FileKind.HTML),
        ("Curriculum vitae – Camille".encode(), FileKind.TEXT),
        (b"\x00\x01\x02\x03garbage", FileKind.UNKNOWN),
        (b"", FileKind.UNKNOWN),
    ],
)
def test_kind_comes_from_the_content(data: bytes, kind: FileKind) -> None:
    assert sniff_bytes(data).kind is kind


def test_a_multibyte_character_cut_at_the_sample_edge_is_still_text() -> None:
    # One ASCII byte, then two-byte characters: the 4,096-byte sample ends inside one.
    assert sniff_bytes(b"a" + "é".encode() * 4000).kind is FileKind.TEXT


def test_archives_are_flagged() -> None:
    assert sniff_bytes(corpus.zip_of({"a.pdf": corpus.pdf()})).is_archive
    assert not sniff_bytes(corpus.docx()).is_archive
    assert not sniff_bytes(corpus.pdf()).is_archive


def test_label_names_the_kind_for_people() -> None:
    assert "Word" in sniff_bytes(corpus.docx()).label
