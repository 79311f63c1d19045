"""A workbook written while it is sent: the file openpyxl's write-only mode writes (its parts
the same, its sheet byte for byte), handed out block by block from before the first row is
read, in a ZIP written forward only that openpyxl (and LibreOffice, where the machine has
it) opens."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from admissions.core.xlsx import streamed
from admissions.core.xlsx.streamed import Cell, workbook
from tests.services.base import require_binary

HEADER = ["Reference", "Candidat·e", "Days in this step"]
# What XML 1.0 cannot hold, on which openpyxl refuses a cell.
UNWRITABLE = "".join(chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
UNWRITABLE += "\ufffe\uffff"
# The properties name who wrote the file: the only parts that differ from openpyxl's.
PROPERTIES = {"docProps/app.xml", "docProps/core.xml"}
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"


def openpyxl_workbook(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """The workbook as the exports wrote it before: openpyxl's write-only mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="files")
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    written = io.BytesIO()
    book.save(written)
    return written.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def streamed_workbook(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    return b"".join(workbook(header, iter(rows), title="files"))


# Text that openpyxl writes as text: no character XML cannot hold, and not a formula (the
# exports quote a value that starts with "=").
texts = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters=UNWRITABLE), max_size=30
).filter(lambda text: not text.startswith("="))
cells = st.one_of(st.none(), texts, st.integers(-(10**15), 10**15))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cells, min_size=1, max_size=6), max_size=12))
@example([["  padded ", "tab\there", "line\nbreak", "carriage\rreturn", "", None]])
@example([["a&b<c>d\"e'f]]>", "é€😀\xa0", "\x7f\x85", "#N/A", "#DIV/0!", "'=quoted"]])
@example([["x" * 40_000, 0, -3, 10**15]])
def test_the_file_is_the_one_openpyxl_wrote(rows: list[list[Cell]]) -> None:
    before = parts(openpyxl_workbook(HEADER, rows))
    after = parts(streamed_workbook(HEADER, rows))
    assert list(after) == list(before)
    for name in set(before) - PROPERTIES:
        assert after[name] == before[name], name


def test_the_first_block_leaves_before_any_row_is_read() -> None:
    read: list[int] = []

    def rows() -> Iterator[list[Cell]]:
        for n in range(10):
            read.append(n)
            yield [f"REF-{n}", "Name", n]

    blocks = workbook(HEADER, rows(), title="files")
    first = next(blocks)
    assert first.startswith(b"PK\x03\x04")
    assert read == []
    rest = b"".join(blocks)
    assert read == list(range(10))
    assert load_workbook(io.BytesIO(first + rest)).active.max_row == 11


def test_blocks_leave_as_the_rows_are_written() -> None:
    """A long sheet is handed out in blocks of about `BLOCK` compressed bytes, each one as
    soon as it is made: what is held at once does not grow with the rows."""
    total = 30_000
    read = 0

    def rows() -> Iterator[list[Cell]]:
        nonlocal read
        for n in range(total):
            read += 1
            # Text that compresses little, as names and addresses do.
            yield [f"REF-{n:06d}", f"{n * 7919 % 100_003:x}{n * 104_729:o}", n]

    rows_read_at_each_block = []
    sizes = []
    for block in workbook(HEADER, rows(), title="files"):
        rows_read_at_each_block.append(read)
        sizes.append(len(block))
    assert len(sizes) > 5
    # Each block but the first (the parts before the sheet) and the last (the sheet's end and
    # the parts after it) left while rows were still to be read.
    assert all(0 < n < total for n in rows_read_at_each_block[1:-2])
    assert max(sizes) < 2 * streamed.BLOCK


def test_the_zip_is_written_forward_only_without_zip64() -> None:
    """Each entry's sizes follow its data (a data descriptor), as a stream that cannot seek
    back needs; and no entry uses ZIP64, which Excel reads only in a form of its own."""
    data = streamed_workbook(HEADER, [["REF-1", "Name", 3]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        for entry in archive.infolist():
            assert entry.flag_bits & 0x08, entry.filename
            assert entry.extract_version == zipfile.DEFAULT_VERSION, entry.filename
            assert entry.compress_type == zipfile.ZIP_DEFLATED


def test_text_stays_text_and_unwritable_characters_are_left_out() -> None:
    data = streamed_workbook(HEADER, [["=1+2", "bell\x07 and\x00null", "\x1f"]])
    sheet = load_workbook(io.BytesIO(data)).active
    formula, cleaned, emptied = next(sheet.iter_rows(min_row=2))
    assert (formula.value, formula.data_type) == ("=1+2", "s")
    assert cleaned.value == "bell andnull"
    assert emptied.value is None


def test_a_cell_holds_text_an_integer_or_nothing() -> None:
    for value in (True, 1.5, b"bytes"):
        with pytest.raises(TypeError):
            streamed_workbook(HEADER, [["REF-1", value]])  # type: ignore[list-item]


def test_libreoffice_reads_the_rows(tmp_path: Path) -> None:
    """A reader other than the library the file was compared with: the forward-only ZIP
    (sizes after each entry's data) and the sheet as an office suite opens them."""
    soffice = require_binary("soffice", package="libreoffice-calc-nogui")
    rows: list[list[Cell]] = [["REF-1", "Zoé O'Brien & <Co>", 12], ["REF-2", " padded ", -1]]
    (tmp_path / "files.xlsx").write_bytes(streamed_workbook(HEADER, rows))
    subprocess.run(
        [
            soffice,
            # A profile of its own: none is read from or written to the home folder.
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            # Filter options: comma-separated, double-quoted, UTF-8 (76).
            CSV_UTF8,
            "--outdir",
            str(tmp_path),
            "files.xlsx",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with (tmp_path / "files.csv").open(encoding="utf-8", newline="") as read:
        converted = list(csv.reader(read))
    assert converted == [HEADER, *[[str(cell) for cell in row] for row in rows]]
