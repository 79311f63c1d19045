"""Seed inputs of the fuzzing targets: the files the suite already holds, made or kept.

Each target starts from real files of its kind: the public PDF test files of
tests/documents/data (qpdf, pypdf), the bank statements of tests/payments/fixtures (OCA's and
ours, with their templates filled in), and the samples tests/documents/corpus.py builds with
the libraries that make such files (hostile PDFs, JPEGs with and without EXIF, a truncated
one, a PNG, an Office document). Further folders of samples may be added at run time
(`make fuzz FUZZ_CORPUS=...`): the fuzzer reads them, never writes to them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.documents import corpus
from tests.payments.camt import FOLDER as CAMT_FOLDER
from tests.payments.camt import statement

PDF_DATA = Path(__file__).resolve().parents[1] / "documents" / "data"

DOCUMENT_SAMPLES: dict[str, Callable[[], bytes]] = {
    "pdf-1-page.pdf": lambda: corpus.pdf(),
    "pdf-3-pages.pdf": lambda: corpus.pdf(pages=3),
    "pdf-truncated.pdf": corpus.truncated_pdf,
    "pdf-garbage.pdf": corpus.garbage_pdf,
    "pdf-encrypted.pdf": corpus.encrypted_pdf,
    "pdf-javascript.pdf": corpus.javascript_open_action_pdf,
    "pdf-javascript-nested.pdf": corpus.javascript_nested_pdf,
    "pdf-launch.pdf": corpus.launch_pdf,
    "pdf-embedded-file.pdf": corpus.embedded_file_pdf,
    "pdf-submit-form.pdf": corpus.submit_form_pdf,
    "pdf-remote-goto.pdf": corpus.remote_goto_pdf,
    "pdf-latin1-name.pdf": corpus.latin1_name_pdf,
    "jpeg.jpg": lambda: corpus.jpeg(240, 320),
    "jpeg-small.jpg": lambda: corpus.jpeg(40, 40),
    "jpeg-exif-rotated.jpg": lambda: corpus.jpeg(320, 240, exif_orientation=6),
    "jpeg-truncated.jpg": corpus.truncated_jpeg,
    "png.png": lambda: corpus.png(64, 64),
    "docx.docx": corpus.docx,
}


def write_document_seeds(folder: Path, *, pdf_only: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in DOCUMENT_SAMPLES.items():
        if not pdf_only or name.endswith(".pdf"):
            (folder / name).write_bytes(build())
    for path in sorted(PDF_DATA.glob("*/*.pdf")):
        shutil.copyfile(path, folder / f"{path.parent.name}-{path.name}")
    return folder


def write_statement_seeds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(CAMT_FOLDER.glob("*.xml")):
        text = path.read_text(encoding="utf-8")
        data = statement(path.name) if "$" in text else path.read_bytes()
        (folder / path.name).write_bytes(data)
    return folder


SEEDS: dict[str, Callable[[Path], Path]] = {
    "intake": write_document_seeds,
    "pdfscan": lambda folder: write_document_seeds(folder, pdf_only=True),
    "camt053": write_statement_seeds,
}
