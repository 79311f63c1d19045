"""The checks every file goes through on arrival, in the order that refuses cheapest first.

Size, then the antivirus (before anything parses the file, and so that a threat is reported
whatever it pretends to be), then the real type by content, then the structure of that type
(pikepdf for PDFs, Pillow for JPEGs). The same function serves the portal, the API and the
ZIP import, so a file is judged the same way whichever door it comes through.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import IO, BinaryIO, cast

from admissions.core import antivirus
from admissions.core.filedescriptors import ByDescriptor
from admissions.documents.imagecheck import inspect_jpeg
from admissions.documents.inmemory import held_bytes
from admissions.documents.pdfcheck import inspect_pdf
from admissions.documents.refusals import Refusal, RefusalCode
from admissions.documents.sniffing import FileKind, sniff
from admissions.rules.schema import DocumentRequirement
from admissions.rules.vocabulary import DocumentFormat

READ_BYTES = 1024 * 1024
FORMAT_KINDS: dict[DocumentFormat, FileKind] = {
    DocumentFormat.PDF: FileKind.PDF,
    DocumentFormat.JPEG: FileKind.JPEG,
}


class ScanOutcome(StrEnum):
    CLEAN = "clean"
    NOT_SCANNED = "not_scanned"  # no antivirus configured
    ERROR = "error"  # configured, but the scan could not run: checked again later


class Infected(Refusal):
    def __init__(self, signature: str) -> None:
        super().__init__(RefusalCode.INFECTED, signature=signature)
        self.signature = signature


@dataclass(frozen=True)
class Checked:
    """What the checks found about an accepted file."""

    kind: FileKind
    size: int
    sha256: str
    scan: ScanOutcome
    scan_detail: str = ""
    pages: int | None = None
    width: int | None = None
    height: int | None = None


def check_file(stream: IO[bytes], *, requirement: DocumentRequirement) -> Checked:
    """Run every check on `stream`; raise `Refusal` (or `Infected`) at the first failure."""
    size = measure(stream)
    if size == 0:
        raise Refusal(RefusalCode.EMPTY)
    if size > requirement.max_bytes:
        raise Refusal(RefusalCode.TOO_LARGE, size=size, limit=requirement.max_bytes)
    digest = sha256_of(stream)
    # clamd and the PDF check's child read the file by descriptor: a file held in memory is
    # copied once for both.
    with ByDescriptor(stream) as shared:
        scan, detail = scan_file(stream, shared)
        sniffed = sniff(stream)
        allowed = [FORMAT_KINDS[fmt] for fmt in requirement.formats]
        if sniffed.kind not in allowed:
            raise Refusal(
                RefusalCode.WRONG_TYPE,
                detected=sniffed.kind.value,
                expected=[kind.value for kind in allowed],
            )
        checked = Checked(
            kind=sniffed.kind, size=size, sha256=digest, scan=scan, scan_detail=detail
        )
        # The parsers (qpdf through pikepdf, Pillow) are loaded by the first file checked, in
        # pdfcheck and imagecheck, not by every process that serves pages.
        if sniffed.kind is FileKind.PDF:
            facts = inspect_pdf(shared.file(), max_pages=requirement.max_pages)
            stream.seek(0)
            return replace(checked, pages=facts.pages)
    image = inspect_jpeg(
        stream, min_width=requirement.min_width_px, min_height=requirement.min_height_px
    )
    return replace(checked, width=image.width, height=image.height)


def scan_file(stream: IO[bytes], shared: ByDescriptor | None = None) -> tuple[ScanOutcome, str]:
    """Scan with clamd when one is configured; raise `Infected` when it finds a threat.

    `shared`: the stream by descriptor, handed to a clamd that reads files so.
    """
    client = antivirus.configured_client()
    if client is None:
        return ScanOutcome.NOT_SCANNED, ""
    stream.seek(0)
    if client.descriptors and shared is not None:
        result = client.scan_stream(shared.file())
    else:
        result = client.scan_stream(cast(BinaryIO, stream))
    stream.seek(0)
    if result.infected:
        raise Infected(result.signature or "unknown")
    if result.clean:
        return ScanOutcome.CLEAN, ""
    return ScanOutcome.ERROR, result.detail


def measure(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def sha256_of(stream: IO[bytes]) -> str:
    with held_bytes(stream) as held:
        if held is not None:
            stream.seek(0)
            return hashlib.sha256(held).hexdigest()
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(READ_BYTES):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()
