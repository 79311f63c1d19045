"""PDF structure checks, on the corpus and on hand-made corner cases."""

from __future__ import annotations

import io
import time

import pikepdf
import pytest
from pytest_django.fixtures import Settings

from admissions.documents import pdfscan
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


def _resident_megabytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096 // (1024 * 1024)


def test_a_name_that_is_not_utf8_is_read_not_crashed_on() -> None:
    assert refusal_of(corpus.latin1_name_pdf()) is None


def test_a_script_under_a_name_that_is_not_utf8_is_found() -> None:
    assert refusal_of(corpus.latin1_name_script_pdf()) is RefusalCode.PDF_JAVASCRIPT


def test_every_object_counts_towards_the_limit() -> None:
    # 300,000 arrays and not one dictionary among them: under the limit of 500,000 objects
    # the file declares, over it once the values inside them are counted.
    assert refusal_of(corpus.many_objects_pdf(300_000)) is RefusalCode.PDF_TOO_COMPLEX


def test_a_million_objects_are_refused_at_once_and_cost_the_worker_nothing() -> None:
    data = corpus.many_objects_pdf(1_000_000)
    before = _resident_megabytes()
    started = time.monotonic()
    assert refusal_of(data) is RefusalCode.PDF_TOO_COMPLEX
    assert time.monotonic() - started < 5
    assert _resident_megabytes() - before < 50


def test_a_file_that_needs_more_memory_than_allowed_is_refused(settings: Settings) -> None:
    settings.DOCUMENTS_PDF_MAX_OBJECTS = 10**9  # only the memory bound stops it
    settings.DOCUMENTS_PDF_MEMORY_BYTES = 64 * 1024 * 1024
    before = _resident_megabytes()
    assert refusal_of(corpus.many_objects_pdf(1_000_000)) is RefusalCode.PDF_TOO_COMPLEX
    assert _resident_megabytes() - before < 50


def test_a_file_that_needs_more_time_than_allowed_is_refused(settings: Settings) -> None:
    settings.DOCUMENTS_PDF_MAX_OBJECTS = 10**9  # only the time bound stops it
    settings.DOCUMENTS_PDF_MEMORY_BYTES = 4 * 1024**3
    settings.DOCUMENTS_PDF_SECONDS = 1
    data = corpus.many_objects_pdf(1_000_000)
    started = time.monotonic()
    assert refusal_of(data) is RefusalCode.PDF_TOO_COMPLEX
    assert time.monotonic() - started < 6  # the processor bound, or at worst the wall clock


def test_the_limits_stay_within_the_checking_process() -> None:
    # The last check ran in a child: this process can still allocate freely.
    refusal_of(corpus.pdf())
    assert len(bytearray(256 * 1024 * 1024)) == 256 * 1024 * 1024


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (corpus.submit_form_pdf, RefusalCode.PDF_FORM_ACTION),
        (corpus.import_data_pdf, RefusalCode.PDF_FORM_ACTION),
        (corpus.remote_goto_pdf, RefusalCode.PDF_REMOTE_LINK),
    ],
)
def test_actions_that_send_fetch_or_open_are_refused(make: object, code: RefusalCode) -> None:
    assert refusal_of(make()) is code  # type: ignore[operator]


@pytest.mark.parametrize(
    "uri",
    [
        b"javascript:app.alert(1)",
        b"JavaScript:app.alert(1)",
        b"  \t\nJAVASCRIPT:app.alert(1)",
        b"java\tscript:app.alert(1)",
        b"\x00\x01javascript:app.alert(1)",
        b"java\r\nscript :app.alert(1)",
        "\ufeffjavascript:app.alert(1)".encode("utf-16-be"),
        "java\u200bscript:app.alert(1)".encode("utf-8"),
        b"vbscript:msgbox(1)",
    ],
)
def test_links_that_run_a_script_are_refused(uri: bytes) -> None:
    assert refusal_of(corpus.uri_pdf(uri)) is RefusalCode.PDF_JAVASCRIPT


@pytest.mark.parametrize(
    "uri",
    [b"https://www.imt-nord-europe.fr/", b"mailto:admissions@example.org", b"javascript-guide.pdf"],
)
def test_ordinary_links_are_accepted(uri: bytes) -> None:
    assert refusal_of(corpus.uri_pdf(uri)) is None


def test_every_answer_of_the_scan_is_a_refusal_with_a_message() -> None:
    for answer in pdfscan.ANSWERS:
        assert Refusal(RefusalCode(answer)).message
