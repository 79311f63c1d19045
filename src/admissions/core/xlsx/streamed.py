"""A workbook of one sheet written while it is sent, row by row.

Written whole into a temporary file before its first byte left, an export of 88,000 files
took 30 s to start, and a million would outlast a reverse proxy's read timeout (60 s): the
reader would get a 504 and nothing. Here the sheet's XML is written row by row into a ZIP
written forward only (each entry's sizes and checksum in a data descriptor after its data,
as a stream that cannot seek back requires), and the compressed bytes are handed out block
by block as they are made: the first block leaves before the first row is read, and memory
holds one block of rows whatever their number.

The file is the one openpyxl's write-only mode writes, its parts the same and the sheet's XML
the same byte for byte (tests/core/test_xlsx_streamed.py compares them): strings inline (no
shared-strings table to keep), escaped as lxml escapes them (`&`, `<`, `>`, a carriage
return, every character outside ASCII as a character reference), and the styles, theme and
workbook parts its own. Only the document properties differ: they name this platform, not
openpyxl, which is not loaded at all (about 28 MB of a worker's memory and a second to
import). One difference on purpose: text is always text. openpyxl would write a string that
starts with "=" as a formula (the exports quote such values first, queue._safe); and a
character that XML cannot hold (a control character other than tab and line breaks), on
which openpyxl refused the whole file, is left out of its cell.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

Cell = str | int | None

HERE = Path(__file__).resolve().parent
# Compressed bytes gathered before they are handed out, and rows given to the ZIP at once.
BLOCK = 64 * 1024
ROWS_AT_ONCE = 100
# The longest text of a cell (Excel's limit), as openpyxl cuts it.
TEXT_MAX = 32_767
# What XML 1.0 cannot hold: control characters but tab and line breaks, lone surrogates,
# U+FFFE and U+FFFF.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text that spreadsheets read as an error value, written as one (as openpyxl does).
_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006"
_SHEET = "xl/worksheets/sheet1.xml"
_SHEET_START = (
    f'<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
    '<pageSetUpPr/></sheetPr><sheetViews><sheetView workbookViewId="0"><selection '
    'activeCell="A1" sqref="A1"/></sheetView></sheetViews><sheetFormatPr baseColWidth="8" '
    'defaultRowHeight="15"/><sheetData>'
).encode()
_SHEET_END = (
    b'</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
    b'footer="0.5"/></worksheet>'
)
_APP = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>Admissions</Application></Properties>'
)
_CORE = (
    f'<cp:coreProperties xmlns:cp="{_PACKAGE}/metadata/core-properties"><dc:creator '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">Admissions</dc:creator>'
    '<dcterms:created xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="dcterms:W3CDTF">'
    "{stamp}</dcterms:created>"
    '<dcterms:modified xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="dcterms:W3CDTF">'
    "{stamp}</dcterms:modified></cp:coreProperties>"
)
_PACKAGE_RELS = (
    f'<Relationships xmlns="{_PACKAGE}/relationships"><Relationship '
    f'Type="{_OFFICE}/relationships/officeDocument" Target="xl/workbook.xml" Id="rId1"/>'
    f'<Relationship Type="{_PACKAGE}/relationships/metadata/core-properties" '
    'Target="docProps/core.xml" Id="rId2"/><Relationship '
    f'Type="{_OFFICE}/relationships/extended-properties" Target="docProps/app.xml" '
    'Id="rId3"/></Relationships>'
)
_WORKBOOK = (
    f'<workbook xmlns="{_MAIN}"><workbookPr/><workbookProtection/><bookViews><workbookView '
    'visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" '
    'showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" '
    'autoFilterDateGrouping="1"/></bookViews><sheets><sheet '
    f'xmlns:r="{_OFFICE}/relationships" name="{{title}}" sheetId="1" state="visible" '
    'r:id="rId1"/></sheets><definedNames/><calcPr calcId="124519" fullCalcOnLoad="1"/>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    f'<Relationships xmlns="{_PACKAGE}/relationships"><Relationship '
    f'Type="{_OFFICE}/relationships/worksheet" Target="/{_SHEET}" Id="rId1"/><Relationship '
    f'Type="{_OFFICE}/relationships/styles" Target="styles.xml" Id="rId2"/><Relationship '
    f'Type="{_OFFICE}/relationships/theme" Target="theme/theme1.xml" Id="rId3"/>'
    "</Relationships>"
)
_OFFICE_TYPE = "application/vnd.openxmlformats-officedocument"
_CONTENT_TYPES = (
    f'<Types xmlns="{_PACKAGE}/content-types"><Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
    'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/styles.xml" '
    f'ContentType="{_OFFICE_TYPE}.spreadsheetml.styles+xml"/><Override '
    f'PartName="/xl/theme/theme1.xml" ContentType="{_OFFICE_TYPE}.theme+xml"/><Override '
    'PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override '
    f'PartName="/docProps/app.xml" ContentType="{_OFFICE_TYPE}.extended-properties+xml"/>'
    f'<Override PartName="/{_SHEET}" '
    f'ContentType="{_OFFICE_TYPE}.spreadsheetml.worksheet+xml"/><Override '
    f'PartName="/xl/workbook.xml" ContentType="{_OFFICE_TYPE}.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)


@cache
def _kept(name: str) -> bytes:
    """A part kept beside this module as openpyxl writes it: its styles and its theme
    (Office's default, to which the styles' font colour refers)."""
    return (HERE / name).read_bytes()


def _column(index: int) -> str:
    """The letters of the column at `index`, from 0: A ... Z, AA ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@cache
def _columns(count: int) -> tuple[str, ...]:
    return tuple(_column(i) for i in range(count))


def _escaped(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _cell(ref: str, value: str | int) -> str:
    if isinstance(value, str):
        text = value[:TEXT_MAX]
        if _UNWRITABLE.search(text):
            text = _UNWRITABLE.sub("", text)
        if not text:
            return f'<c r="{ref}" t="inlineStr"></c>'
        if text in _ERRORS:
            return f'<c r="{ref}" t="e"><v>{text}</v></c>'
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_escaped(text)}</t></is></c>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{ref}" t="n"><v>{value:.16g}</v></c>'
    raise TypeError(f"a cell holds text or an integer, not {type(value).__name__}")


def _row(number: int, cells: Sequence[Cell]) -> str:
    columns = _columns(len(cells))
    written = "".join(
        _cell(f"{column}{number}", value)
        for column, value in zip(columns, cells, strict=True)
        if value is not None
    )
    return f'<row r="{number}">{written}</row>'


class _Sink:
    """What the ZIP writes, kept until handed out. To zipfile it is a stream that cannot
    seek back (no `seek` nor `tell`): each entry's sizes then follow its data."""

    def __init__(self) -> None:
        self._blocks: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._blocks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        """Nothing is held below: `taken` hands the bytes out."""

    def close(self) -> None:
        """Nothing to release."""

    def taken(self) -> bytes:
        data = b"".join(self._blocks)
        self._blocks.clear()
        self.size = 0
        return data


def _entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=stamp)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o600 << 16  # as ZipFile.writestr marks an entry given by name
    return entry


def workbook(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str
) -> Iterator[bytes]:
    """The workbook's bytes, block by block: `header` then `rows` in the sheet `title`.

    A cell holds text, an integer, or nothing (None: the cell is left out). The rows are
    first read after the first block is handed out."""
    now = datetime.now(UTC)
    stamp = time.localtime(now.timestamp())[:6]
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("docProps/app.xml", stamp), _APP)
        archive.writestr(
            _entry("docProps/core.xml", stamp),
            _CORE.format(stamp=now.strftime("%Y-%m-%dT%H:%M:%SZ")),
        )
        archive.writestr(_entry("xl/theme/theme1.xml", stamp), _kept("theme1.xml"))
        yield sink.taken()
        with archive.open(_entry(_SHEET, stamp), "w") as sheet:
            sheet.write(_SHEET_START)
            waiting = [_row(1, header)]
            for number, cells in enumerate(rows, start=2):
                waiting.append(_row(number, cells))
                if len(waiting) >= ROWS_AT_ONCE:
                    sheet.write("".join(waiting).encode("ascii", "xmlcharrefreplace"))
                    waiting.clear()
                    if sink.size >= BLOCK:
                        yield sink.taken()
            sheet.write("".join(waiting).encode("ascii", "xmlcharrefreplace"))
            sheet.write(_SHEET_END)
        archive.writestr(_entry("xl/styles.xml", stamp), _kept("styles.xml"))
        archive.writestr(_entry("_rels/.rels", stamp), _PACKAGE_RELS)
        archive.writestr(
            _entry("xl/workbook.xml", stamp), _WORKBOOK.format(title=_attribute(title))
        )
        archive.writestr(_entry("xl/_rels/workbook.xml.rels", stamp), _WORKBOOK_RELS)
        archive.writestr(_entry("[Content_Types].xml", stamp), _CONTENT_TYPES)
    yield sink.taken()


def _attribute(text: str) -> str:
    return _escaped(text).replace('"', "&quot;").encode("ascii", "xmlcharrefreplace").decode()
