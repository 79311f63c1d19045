"""A PDF is accepted only when it opens cleanly and carries nothing active or hidden.

qpdf (through pikepdf) silently repairs damaged files, so its warnings are read after opening:
a file that needed repair was cut off or corrupted, and what the jury would see is not what
the candidate meant to send. Active content can hide in any dictionary, direct or indirect,
so the whole object graph is walked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, BinaryIO, TypeGuard, cast

from django.conf import settings

from admissions.documents.refusals import Refusal, RefusalCode

if TYPE_CHECKING:
    import pikepdf

# Keys whose mere presence means JavaScript: an action's script, the document's script
# name tree, and XFA forms (which carry their own scripts).
JAVASCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})
EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EmbeddedFile", "/EF"})
DEFAULT_MAX_OBJECTS = 200_000


@dataclass(frozen=True)
class PdfFacts:
    pages: int


def inspect_pdf(stream: IO[bytes], *, max_pages: int | None) -> PdfFacts:
    """Facts about a PDF that passes every check; raises `Refusal` naming the first failure."""
    # qpdf weighs tens of MiB in a web process: loaded by the first file checked.
    import pikepdf

    stream.seek(0)
    try:
        pdf = pikepdf.open(cast(BinaryIO, stream))
    except pikepdf.PasswordError:
        raise Refusal(RefusalCode.PDF_ENCRYPTED) from None
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError):
        raise Refusal(RefusalCode.PDF_UNREADABLE) from None
    with pdf:
        if pdf.get_warnings():
            raise Refusal(RefusalCode.PDF_DAMAGED)
        if pdf.is_encrypted:
            raise Refusal(RefusalCode.PDF_ENCRYPTED)
        try:
            _scan_objects(pdf)
            pages = len(pdf.pages)
        except (pikepdf.PdfError, RuntimeError):
            raise Refusal(RefusalCode.PDF_DAMAGED) from None
        # Reading objects can meet damage the opening did not.
        if pdf.get_warnings():
            raise Refusal(RefusalCode.PDF_DAMAGED)
    if pages == 0:
        raise Refusal(RefusalCode.PDF_NO_PAGES)
    if max_pages is not None and pages > max_pages:
        raise Refusal(RefusalCode.PDF_TOO_MANY_PAGES, pages=pages, max_pages=max_pages)
    return PdfFacts(pages=pages)


def _scan_objects(pdf: pikepdf.Pdf) -> None:
    limit = int(getattr(settings, "DOCUMENTS_PDF_MAX_OBJECTS", DEFAULT_MAX_OBJECTS))
    seen = 0
    roots: list[pikepdf.Object] = [pdf.trailer]
    roots.extend(pdf.objects)
    for root in roots:
        for dictionary in _dictionaries(root):
            seen += 1
            if seen > limit:
                raise Refusal(RefusalCode.PDF_TOO_COMPLEX)
            _check_dictionary(dictionary)


def _dictionaries(root: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary reachable from `root` without leaving it for another indirect object.

    Indirect objects are each visited from `pdf.objects`, so following references here would
    only visit them again; direct dictionaries and arrays nested at any depth are walked.
    """
    # qpdf weighs tens of MiB in a web process: loaded by the first file checked.
    import pikepdf

    stack: list[pikepdf.Object] = [root]
    first = True
    while stack:
        item = stack.pop()
        if not first and item.is_indirect:
            continue
        first = False
        if isinstance(item, pikepdf.Stream):
            dictionary = item.stream_dict
            yield dictionary
            stack.extend(_direct_children(dictionary))
        elif isinstance(item, pikepdf.Dictionary):
            yield item
            stack.extend(_direct_children(item))
        elif isinstance(item, pikepdf.Array):
            stack.extend(child for child in item if _direct_container(child))


def _direct_children(dictionary: pikepdf.Dictionary) -> list[pikepdf.Object]:
    children: list[pikepdf.Object] = []
    for key in dictionary.keys():  # noqa: SIM118 - a pikepdf Dictionary is not a dict
        value = dictionary.get(key)
        if _direct_container(value):
            children.append(value)
    return children


def _direct_container(value: object) -> TypeGuard[pikepdf.Object]:
    """A dictionary or array written inside its parent (pikepdf hands scalars as Python)."""
    # qpdf weighs tens of MiB in a web process: loaded by the first file checked.
    import pikepdf

    return isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect


def _check_dictionary(dictionary: pikepdf.Dictionary) -> None:
    keys = set(dictionary.keys())
    if keys & JAVASCRIPT_KEYS:
        raise Refusal(RefusalCode.PDF_JAVASCRIPT)
    if keys & EMBEDDED_KEYS:
        raise Refusal(RefusalCode.PDF_EMBEDDED_FILE)
    action = _name(dictionary.get("/S"))
    if action == "/JavaScript":
        raise Refusal(RefusalCode.PDF_JAVASCRIPT)
    if action == "/Launch":
        raise Refusal(RefusalCode.PDF_LAUNCH)
    if action == "/GoToE":  # jumps into an embedded file
        raise Refusal(RefusalCode.PDF_EMBEDDED_FILE)
    subtype = _name(dictionary.get("/Subtype"))
    if subtype == "/FileAttachment":
        raise Refusal(RefusalCode.PDF_EMBEDDED_FILE)
    if _name(dictionary.get("/Type")) == "/EmbeddedFile":
        raise Refusal(RefusalCode.PDF_EMBEDDED_FILE)


def _name(value: object) -> str:
    # qpdf weighs tens of MiB in a web process: loaded by the first file checked.
    import pikepdf

    return str(value) if isinstance(value, pikepdf.Name) else ""
