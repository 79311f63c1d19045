"""The scan of one PDF, run in a child process whose memory and processor time are bounded.

Nothing here imports Django: the checker's fork server loads this module (and qpdf) once,
and each file is scanned in a fresh fork of it, so whatever a hostile file costs (qpdf's
memory for a million objects, a pathological object graph) dies with the child instead of
staying in a web worker. `pdfcheck` starts the child, bounds its wall-clock time and turns
its one small JSON answer into a `Refusal`.

qpdf (through pikepdf) silently repairs damaged files, so its warnings are read after
opening: a file that needed repair was cut off or corrupted. Active content can hide in any
dictionary, direct or indirect, so the whole object graph is walked; every object counts
towards the limit (dictionaries, arrays and the values in them alike), and a name may be
any bytes, not only UTF-8.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import resource
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    import pikepdf

# pikepdf (and qpdf, about 25 MiB) loads with the first scan, in the checker's fork server
# (which preloads it) or a test: a web worker imports this module for its answers and
# limits only, and never scans in its own process.
QPDF = "pikepdf"

# The answers; each is also the code of the refusal the checker raises (`RefusalCode`).
UNREADABLE = "pdf_unreadable"
DAMAGED = "pdf_damaged"
ENCRYPTED = "pdf_encrypted"
JAVASCRIPT = "pdf_javascript"
LAUNCH = "pdf_launch"
EMBEDDED_FILE = "pdf_embedded_file"
FORM_ACTION = "pdf_form_action"
REMOTE_LINK = "pdf_remote_link"
TOO_COMPLEX = "pdf_too_complex"
NO_PAGES = "pdf_no_pages"
ANSWERS = frozenset(
    {
        UNREADABLE,
        DAMAGED,
        ENCRYPTED,
        JAVASCRIPT,
        LAUNCH,
        EMBEDDED_FILE,
        FORM_ACTION,
        REMOTE_LINK,
        TOO_COMPLEX,
        NO_PAGES,
    }
)

# Keys whose mere presence means JavaScript: an action's script, the document's script
# name tree, and XFA forms (which carry their own scripts).
JAVASCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})
EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EmbeddedFile", "/EF"})
# Actions (the /S of an action dictionary) that run, send, fetch or open something.
ACTIONS = {
    b"/JavaScript": JAVASCRIPT,
    b"/Launch": LAUNCH,
    b"/GoToE": EMBEDDED_FILE,  # jumps into an embedded file
    b"/SubmitForm": FORM_ACTION,  # sends the form's fields to an address
    b"/ImportData": FORM_ACTION,  # fills the form from another file
    b"/GoToR": REMOTE_LINK,  # opens another PDF file
}
# A link to these runs a script in the viewer or the browser it hands the link to.
SCRIPT_SCHEMES = ("javascript:", "vbscript:")


@dataclass(frozen=True)
class Limits:
    max_objects: int
    cpu_seconds: int
    memory_bytes: int  # on top of what the fork server already holds


@dataclass(frozen=True)
class Outcome:
    code: str | None  # None: nothing wrong was found
    pages: int = 0


class _Refused(Exception):  # noqa: N818 - an outcome of the walk, not an error
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def run(data: bytes | BinaryIO, limits: Limits) -> bytes:
    """Scan `data` (in a child already bounded by `bound`): the one small JSON answer."""
    answer: dict[str, object]
    try:
        outcome = scan(data, max_objects=limits.max_objects)
        answer = {"code": outcome.code, "pages": outcome.pages}
    except MemoryError:
        answer = {"code": TOO_COMPLEX}
    except Exception as error:  # a hostile file must be refused, never crash the upload
        answer = {"code": UNREADABLE, "error": type(error).__name__}
    return json.dumps(answer).encode()


def load_qpdf() -> None:
    if QPDF not in globals():
        globals()[QPDF] = importlib.import_module(QPDF)


def scan(data: bytes | BinaryIO, *, max_objects: int) -> Outcome:
    """Scan a PDF given as bytes, or as a binary file read from its start (qpdf maps a file
    that has a descriptor, and reads only the parts the scan needs)."""
    load_qpdf()
    try:
        pdf = pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data)
    except pikepdf.PasswordError:
        return Outcome(ENCRYPTED)
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError):
        return Outcome(UNREADABLE)
    with pdf:
        if warnings := pdf.get_warnings():
            return Outcome(_warned(warnings))
        if pdf.is_encrypted:
            return Outcome(ENCRYPTED)
        try:
            _scan_objects(pdf, max_objects)
            pages = len(pdf.pages)
        except _Refused as refused:
            return Outcome(refused.code)
        except (pikepdf.PdfError, RuntimeError):
            return Outcome(DAMAGED)
        # Reading objects can meet damage the opening did not.
        if warnings := pdf.get_warnings():
            return Outcome(_warned(warnings))
    if pages == 0:
        return Outcome(NO_PAGES)
    return Outcome(None, pages)


def _warned(warnings: list[str]) -> str:
    """Why qpdf warned (each call of `get_warnings` takes them away): it reports running out
    of memory as a warning, then tries to repair a file that was not damaged."""
    if any("bad_alloc" in warning for warning in warnings):
        return TOO_COMPLEX
    return DAMAGED


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise _Refused(TOO_COMPLEX)


def _scan_objects(pdf: pikepdf.Pdf, max_objects: int) -> None:
    budget = _Budget(max_objects)
    declared = pdf.trailer.get("/Size")
    # The cross-reference table's own count: refused before a single object is read.
    if isinstance(declared, int) and declared > max_objects:
        raise _Refused(TOO_COMPLEX)
    _walk(pdf.trailer, budget)
    for item in pdf.objects:
        budget.spend(1)
        _walk(item, budget)


def _walk(root: object, budget: _Budget) -> None:
    """Check every dictionary reachable from `root` without leaving it for another object.

    Indirect objects are each visited from `pdf.objects`, so following references here would
    only visit them again; direct dictionaries and arrays nested at any depth are walked.
    Entries are read with `items()`: a key that is not UTF-8 cannot be looked up by name.
    """
    stack: list[object] = [root]
    first = True
    while stack:
        item = stack.pop()
        if not first and getattr(item, "is_indirect", False):
            continue
        first = False
        if isinstance(item, pikepdf.Stream):
            item = item.stream_dict
        if isinstance(item, pikepdf.Dictionary):
            entries = list(item.items())
            budget.spend(len(entries))
            _check_dictionary(entries)
            stack.extend(value for _key, value in entries if _container(value))
        elif isinstance(item, pikepdf.Array):
            values = list(item)
            budget.spend(len(values))
            stack.extend(value for value in values if _container(value))


def _container(value: object) -> bool:
    return isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream)


def _check_dictionary(entries: Sequence[tuple[str, object]]) -> None:
    keys = {key for key, _value in entries}
    if keys & JAVASCRIPT_KEYS:
        raise _Refused(JAVASCRIPT)
    if keys & EMBEDDED_KEYS:
        raise _Refused(EMBEDDED_FILE)
    values = dict(entries)
    action = ACTIONS.get(_name(values.get("/S")))
    if action is not None:
        raise _Refused(action)
    if _name(values.get("/Subtype")) == b"/FileAttachment":
        raise _Refused(EMBEDDED_FILE)
    if _name(values.get("/Type")) == b"/EmbeddedFile":
        raise _Refused(EMBEDDED_FILE)
    uri = values.get("/URI")
    if isinstance(uri, pikepdf.String) and any(_runs_script(text) for text in _readings(uri)):
        raise _Refused(JAVASCRIPT)


def _name(value: object) -> bytes:
    """A name's bytes as written (a name may be any bytes: `str()` of one can fail)."""
    return value.unparse() if isinstance(value, pikepdf.Name) else b""


def _readings(value: pikepdf.String) -> Iterable[str]:
    """The string as a viewer may read it: byte for byte, as UTF-8, and as a PDF text string
    (UTF-16 or PDFDocEncoding)."""
    raw = bytes(value)
    yield raw.decode("latin-1")
    yield raw.decode("utf-8", errors="replace")
    try:
        yield str(value)
    except ValueError:  # not valid as a text string: the bytes were read above
        return


def _runs_script(text: str) -> bool:
    # Viewers and browsers skip blanks, control and invisible characters around and inside
    # a scheme ("  JaVa\tScRiPt:"), so none of them may hide one.
    visible = "".join(
        char
        for char in text
        if not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf")
    )
    return visible.casefold().startswith(SCRIPT_SCHEMES)


def bound(limits: Limits) -> None:
    """Bound this process's processor time and address space; no core file of a crash."""
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_CPU, limits.cpu_seconds)
    _set_limit(resource.RLIMIT_AS, _address_space() + limits.memory_bytes)


def _set_limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard if kind == resource.RLIMIT_CPU else value))


def _address_space() -> int:
    """Bytes of address space this process holds now (its libraries, qpdf's included).

    Read with the descriptor calls alone: a text file's objects cost a fresh child about 150
    page faults (its copies of the fork server's pages) and 0.4 ms."""
    try:
        statm = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            pages = int(os.read(statm, 64).split()[0])
        finally:
            os.close(statm)
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()
