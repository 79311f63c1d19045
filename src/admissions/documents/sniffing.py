"""What a file really is, told by its first bytes ("magic numbers"), never by its name.

A Word document renamed `cv.pdf` or a PNG saved as `photo.jpg` is recognised here for what
it is, so that the refusal can say exactly what the candidate sent and what to do instead.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from typing import IO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

HEAD_BYTES = 4096


class FileKind(StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    GIF = "gif"
    WEBP = "webp"
    HEIC = "heic"
    TIFF = "tiff"
    BMP = "bmp"
    DOCX = "docx"
    XLSX = "xlsx"
    PPTX = "pptx"
    ODF = "odf"
    OLE = "ole"  # legacy Office: .doc, .xls, .ppt
    RTF = "rtf"
    ZIP = "zip"
    RAR = "rar"
    SEVEN_ZIP = "7z"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    TAR = "tar"
    EXECUTABLE = "executable"
    HTML = "html"
    TEXT = "text"
    UNKNOWN = "unknown"


ARCHIVES = frozenset(
    {
        FileKind.ZIP,
        FileKind.RAR,
        FileKind.SEVEN_ZIP,
        FileKind.GZIP,
        FileKind.BZIP2,
        FileKind.XZ,
        FileKind.TAR,
    }
)

LABELS: dict[FileKind, Promise] = {
    FileKind.PDF: _("a PDF document"),
    FileKind.JPEG: _("a JPEG image"),
    FileKind.PNG: _("a PNG image"),
    FileKind.GIF: _("a GIF image"),
    FileKind.WEBP: _("a WebP image"),
    FileKind.HEIC: _("a HEIC photo (iPhone format)"),
    FileKind.TIFF: _("a TIFF image"),
    FileKind.BMP: _("a BMP image"),
    FileKind.DOCX: _("a Word document (DOCX)"),
    FileKind.XLSX: _("an Excel workbook (XLSX)"),
    FileKind.PPTX: _("a PowerPoint presentation (PPTX)"),
    FileKind.ODF: _("an OpenDocument file (LibreOffice)"),
    FileKind.OLE: _("an old-format Office document (DOC, XLS or PPT)"),
    FileKind.RTF: _("a rich-text document (RTF)"),
    FileKind.ZIP: _("a ZIP archive"),
    FileKind.RAR: _("a RAR archive"),
    FileKind.SEVEN_ZIP: _("a 7-Zip archive"),
    FileKind.GZIP: _("a gzip archive"),
    FileKind.BZIP2: _("a bzip2 archive"),
    FileKind.XZ: _("an xz archive"),
    FileKind.TAR: _("a tar archive"),
    FileKind.EXECUTABLE: _("a program"),
    FileKind.HTML: _("a web page (HTML)"),
    FileKind.TEXT: _("a plain-text file"),
    FileKind.UNKNOWN: _("a file of an unknown type"),
}

CONTENT_TYPES: dict[FileKind, str] = {
    FileKind.PDF: "application/pdf",
    FileKind.JPEG: "image/jpeg",
}

EXTENSIONS: dict[FileKind, str] = {FileKind.PDF: "pdf", FileKind.JPEG: "jpg"}

_SIGNATURES: tuple[tuple[int, bytes, FileKind], ...] = (
    (0, b"%PDF-", FileKind.PDF),
    (0, b"\xff\xd8\xff", FileKind.JPEG),
    (0, b"\x89PNG\r\n\x1a\n", FileKind.PNG),
    (0, b"GIF87a", FileKind.GIF),
    (0, b"GIF89a", FileKind.GIF),
    (0, b"II*\x00", FileKind.TIFF),
    (0, b"MM\x00*", FileKind.TIFF),
    (0, b"BM", FileKind.BMP),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", FileKind.OLE),
    (0, b"{\\rtf", FileKind.RTF),
    (0, b"Rar!\x1a\x07", FileKind.RAR),
    (0, b"7z\xbc\xaf\x27\x1c", FileKind.SEVEN_ZIP),
    (0, b"\x1f\x8b", FileKind.GZIP),
    (0, b"BZh", FileKind.BZIP2),
    (0, b"\xfd7zXZ\x00", FileKind.XZ),
    (257, b"ustar", FileKind.TAR),
    (0, b"MZ", FileKind.EXECUTABLE),
    (0, b"\x7fELF", FileKind.EXECUTABLE),
    (0, b"\xcf\xfa\xed\xfe", FileKind.EXECUTABLE),  # Mach-O
)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


@dataclass(frozen=True)
class Sniffed:
    kind: FileKind

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    @property
    def is_archive(self) -> bool:
        return self.kind in ARCHIVES


def sniff(stream: IO[bytes]) -> Sniffed:
    """The kind of the file `stream` holds; the stream is read from 0 and rewound."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    return Sniffed(_kind(head, stream))


def sniff_bytes(data: bytes) -> Sniffed:
    return sniff(io.BytesIO(data))


def _kind(head: bytes, stream: IO[bytes]) -> FileKind:
    if head.startswith(_ZIP_MAGIC):
        return _zip_kind(head, stream)
    for offset, magic, kind in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind.WEBP
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heim", b"heis"):
        return FileKind.HEIC
    return _text_kind(head)


def _zip_kind(head: bytes, stream: IO[bytes]) -> FileKind:
    """Office and OpenDocument files are ZIP archives; their member names tell them apart."""
    if head[30:38] == b"mimetype" and b"application/vnd.oasis.opendocument" in head[38:120]:
        return FileKind.ODF
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    # NotImplementedError: a member needing a newer ZIP version than Python reads.
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return FileKind.ZIP
    finally:
        stream.seek(0)
    if "[Content_Types].xml" in names:
        for prefix, kind in (
            ("word/", FileKind.DOCX),
            ("xl/", FileKind.XLSX),
            ("ppt/", FileKind.PPTX),
        ):
            if any(name.startswith(prefix) for name in names):
                return kind
    return FileKind.ZIP


def _text_kind(head: bytes) -> FileKind:
    sample = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sample.startswith((b"<!doctype html", b"<html", b"<?xml", b"<svg")):
        return FileKind.HTML
    if head and b"\x00" not in head:
        try:
            # Incremental: the sample may end in the middle of a multi-byte character.
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return FileKind.UNKNOWN
        return FileKind.TEXT
    return FileKind.UNKNOWN
