"""PDF structure checks, on the corpus and on hand-made corner cases."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pytest_django.fixtures import Settings

from admissions.documents.pdfcheck import inspect_pdf
from admissions.documents.refusals import Refusal, RefusalCode
from tests.documents import corpus


def refusal_of(data: bytes, *, max_pages: int | None = None) -> RefusalCode | None:
    try:
        inspect_pdf(io.BytesIO(data), max_pages=max_pages)
    except Refusal as refusal:
        return refusal.code
    return None


def test_a_clean_pdf_gives_its_page_count() -> None:
    assert inspect_pdf(io.BytesIO(corpus.pdf(pages=2)), max_pages=None).pages == 2


def test_no_page_limit_means_any_number() -> None:
    assert refusal_of(corpus.pdf(pages=12)) is None


def test_page_limit_is_inclusive() -> None:
    assert refusal_of(corpus.pdf(pages=2), max_pages=2) is None
    assert refusal_of(corpus.pdf(pages=3), max_pages=2) is RefusalCode.PDF_TOO_MANY_PAGES


def test_a_truncated_pdf_that_qpdf_repairs_is_refused() -> None:
    data = corpus.truncated_pdf()
    with pikepdf.open(io.BytesIO(data)) as repaired:  # qpdf itself opens it...
        assert repaired.get_warnings()  # ...and says it had to repair it
    assert refusal_of(data) is RefusalCode.PDF_DAMAGED


def test_an_empty_page_tree_is_refused() -> None:
    document = pikepdf.new()
    out = io.BytesIO()
    document.save(out)
    assert refusal_of(out.getvalue()) is RefusalCode.PDF_NO_PAGES


def test_javascript_in_an_xfa_form_is_refused() -> None:
    document = pikepdf.open(io.BytesIO(corpus.pdf()))
    document.Root.AcroForm = pikepdf.Dictionary(
        Fields=pikepdf.Array(), XFA=document.make_stream(b"<xdp/>")
    )
    out = io.BytesIO()
    document.save(out)
    assert refusal_of(out.getvalue()) is RefusalCode.PDF_JAVASCRIPT


def test_harmless_actions_are_accepted() -> None:
    document = pikepdf.open(io.BytesIO(corpus.pdf(pages=2)))
    document.Root.OpenAction = pikepdf.Array([document.pages[1].obj, pikepdf.Name.Fit])
    document.pages[0].obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=pikepdf.Array([document.pages[1].obj]))
    )
    out = io.BytesIO()
    document.save(out)
    assert refusal_of(out.getvalue()) is None


def test_an_object_graph_beyond_the_limit_is_refused(settings: Settings) -> None:
    settings.DOCUMENTS_PDF_MAX_OBJECTS = 3
    assert refusal_of(corpus.pdf(pages=3)) is RefusalCode.PDF_TOO_COMPLEX


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (corpus.javascript_open_action_pdf, RefusalCode.PDF_JAVASCRIPT),
        (corpus.javascript_page_action_pdf, RefusalCode.PDF_JAVASCRIPT),
        (corpus.javascript_name_tree_pdf, RefusalCode.PDF_JAVASCRIPT),
        (corpus.javascript_nested_pdf, RefusalCode.PDF_JAVASCRIPT),
        (corpus.launch_pdf, RefusalCode.PDF_LAUNCH),
        (corpus.embedded_file_pdf, RefusalCode.PDF_EMBEDDED_FILE),
        (corpus.file_attachment_annotation_pdf, RefusalCode.PDF_EMBEDDED_FILE),
        (corpus.encrypted_pdf, RefusalCode.PDF_ENCRYPTED),
        (corpus.owner_locked_pdf, RefusalCode.PDF_ENCRYPTED),
        (corpus.garbage_pdf, RefusalCode.PDF_UNREADABLE),
    ],
)
def test_hostile_pdfs_are_refused(make: object, code: RefusalCode) -> None:
    assert refusal_of(make()) is code  # type: ignore[operator]
