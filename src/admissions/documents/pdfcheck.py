"""A PDF is accepted only when it opens cleanly and carries nothing active or hidden.

The scan itself (`pdfscan`) runs in a child process forked from a small server that has
loaded qpdf once (`pdfserver`: a fork costs a few milliseconds; starting Python and qpdf anew
would cost a hundred or more). The child bounds its own processor time and address space; this side
bounds the wall-clock time and the size of the answer. A file that goes past a bound is
refused as too complex to check, and a child that dies any other way as unreadable: a
hostile file never costs a web worker its memory, nor the candidate a server error.
"""

from __future__ import annotations

import json
import logging
import signal
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from admissions.core.filedescriptors import ByDescriptor
from admissions.documents import pdfscan
from admissions.documents.pdfserver import ForkServer
from admissions.documents.refusals import Refusal, RefusalCode

log = logging.getLogger(__name__)

DEFAULT_MAX_OBJECTS = 500_000
DEFAULT_SECONDS = 10
DEFAULT_MEMORY_BYTES = 512 * 1024 * 1024
# Signals of the limits the child runs under: past its processor time, or killed.
LIMIT_SIGNALS = frozenset({signal.SIGXCPU, signal.SIGKILL})

# One fork server per process, started by its first PDF (`pdfserver`).
FORK_SERVER = ForkServer()


@dataclass(frozen=True)
class PdfFacts:
    pages: int


def limits() -> pdfscan.Limits:
    return pdfscan.Limits(
        max_objects=int(getattr(settings, "DOCUMENTS_PDF_MAX_OBJECTS", DEFAULT_MAX_OBJECTS)),
        cpu_seconds=int(getattr(settings, "DOCUMENTS_PDF_SECONDS", DEFAULT_SECONDS)),
        memory_bytes=int(getattr(settings, "DOCUMENTS_PDF_MEMORY_BYTES", DEFAULT_MEMORY_BYTES)),
    )


def inspect_pdf(stream: IO[bytes], *, max_pages: int | None) -> PdfFacts:
    """Facts about a PDF that passes every check; raises `Refusal` naming the first failure."""
    # The child reads the file by its descriptor: a file on disk as it is, one in memory
    # through a copy in memory (none when the caller passes one already, as the checks do).
    with ByDescriptor(stream) as source:
        answer = _scan_in_child(source.file().fileno(), limits())
    stream.seek(0)
    code = answer.get("code")
    if code is not None:
        raise Refusal(_refusal_code(code))
    pages = answer.get("pages")
    if not isinstance(pages, int) or pages <= 0:
        raise Refusal(RefusalCode.PDF_UNREADABLE)
    if max_pages is not None and pages > max_pages:
        raise Refusal(RefusalCode.PDF_TOO_MANY_PAGES, pages=pages, max_pages=max_pages)
    return PdfFacts(pages=pages)


def _refusal_code(code: object) -> RefusalCode:
    if code in pdfscan.ANSWERS:
        return RefusalCode(str(code))
    log.warning("the PDF scan answered an unknown code %r", code)
    return RefusalCode.PDF_UNREADABLE


def _scan_in_child(descriptor: int, bounds: pdfscan.Limits) -> dict[str, Any]:
    # The processor time is the child's own bound; the wall clock leaves room for a busy
    # machine, and catches a child that sleeps or waits instead of computing.
    ending = FORK_SERVER.scan(descriptor, bounds, seconds=2 * bounds.cpu_seconds + 1)
    if ending.timed_out:
        log.warning("a PDF scan took longer than %s s and was stopped", bounds.cpu_seconds)
        return {"code": pdfscan.TOO_COMPLEX}
    if ending.too_long:
        return {"code": pdfscan.UNREADABLE}
    if ending.answer is None:
        return {"code": _death(ending.exitcode)}
    try:
        answer = json.loads(ending.answer)
    except ValueError:
        return {"code": pdfscan.UNREADABLE}
    if not isinstance(answer, dict):
        return {"code": pdfscan.UNREADABLE}
    if answer.get("error"):
        log.warning("the PDF scan failed on a file (%s): refused as unreadable", answer["error"])
    return answer


def _death(exitcode: int | None) -> str:
    """What a child that died without answering tells about the file."""
    if exitcode is not None and exitcode < 0 and -exitcode in LIMIT_SIGNALS:
        return pdfscan.TOO_COMPLEX
    log.warning("the PDF scan died (exit code %s): the file is refused as unreadable", exitcode)
    return pdfscan.UNREADABLE
