"""Test files made on the fly, each with the outcome the arrival checks must give it.

Nothing here is a stored binary: every sample is built by the real library that makes such
files (pikepdf for PDFs, Pillow for images, zipfile for Office documents and archives), so
the corpus documents exactly what each hostile or broken file looks like.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
from PIL import Image

from admissions.documents.refusals import RefusalCode
from tests.services.clamd import EICAR

ACCEPTED = "accepted"
INFECTED = "infected"


# PDFs ---------------------------------------------------------------------------------------


def pdf(pages: int = 1, *, text: str = "Curriculum vitae") -> bytes:
    document = pikepdf.new()
    for number in range(pages):
        page = document.add_blank_page(page_size=(595, 842))
        font = document.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        content = f"BT /F1 18 Tf 72 760 Td ({text} {number + 1}) Tj ET".encode("latin-1")
        page.Contents = document.make_stream(content)
    return _save(document)


def _save(document: pikepdf.Pdf, **options: object) -> bytes:
    out = io.BytesIO()
    document.save(out, **options)  # type: ignore[arg-type]
    return out.getvalue()


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def truncated_pdf() -> bytes:
    """A PDF cut off in transfer: qpdf repairs it silently, with warnings."""
    data = pdf(pages=3)
    return data[: int(len(data) * 0.7)]


def garbage_pdf() -> bytes:
    """Starts like a PDF, holds nothing a parser can rebuild."""
    return b"%PDF-1.7\n" + b"\x00\x01 not an object " * 50


def encrypted_pdf(*, user_password: str = "secret") -> bytes:  # noqa: S107 - a test file
    return _save(
        _open(pdf()), encryption=pikepdf.Encryption(owner="owner-secret", user=user_password)
    )


def owner_locked_pdf() -> bytes:
    """Opens without a password, but encrypted (printing or copying restricted)."""
    return encrypted_pdf(user_password="")


def javascript_open_action_pdf() -> bytes:
    document = _open(pdf())
    document.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hello')")
    )
    return _save(document)


def javascript_page_action_pdf() -> bytes:
    """JavaScript in a page's additional actions, in a direct dictionary two levels down."""
    document = _open(pdf())
    document.pages[0].obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("this.print()"))
    )
    return _save(document)


def javascript_name_tree_pdf() -> bytes:
    """A document-level script in the /Names /JavaScript tree, the script an indirect stream."""
    document = _open(pdf())
    script = document.make_stream(b"app.launchURL('http://127.0.0.1/')")
    action = document.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=script))
    document.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), action]))
    )
    return _save(document)


def javascript_nested_pdf() -> bytes:
    """A script hidden deep in an annotation's direct dictionaries and arrays."""
    document = _open(pdf())
    hidden = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=pikepdf.Array([0, 0, 10, 10]),
        Extra=pikepdf.Array(
            [pikepdf.Dictionary(Inner=pikepdf.Dictionary(JS=pikepdf.String("x=1")))]
        ),
    )
    document.pages[0].obj.Annots = pikepdf.Array([hidden])
    return _save(document)


def launch_pdf() -> bytes:
    document = _open(pdf())
    document.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")
    )
    return _save(document)


def embedded_file_pdf() -> bytes:
    document = _open(pdf())
    spec = pikepdf.AttachedFileSpec(document, EICAR, filename="readme.txt")
    document.attachments["readme.txt"] = spec
    return _save(document)


def file_attachment_annotation_pdf() -> bytes:
    document = _open(pdf())
    stream = document.make_stream(b"hidden payload")
    stream.Type = pikepdf.Name.EmbeddedFile
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FileAttachment,
        Rect=pikepdf.Array([0, 0, 20, 20]),
        FS=pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec,
            F=pikepdf.String("a.txt"),
            EF=pikepdf.Dictionary(F=stream),
        ),
    )
    document.pages[0].obj.Annots = document.make_indirect(pikepdf.Array([annotation]))
    return _save(document)


def _action_pdf(action: pikepdf.Dictionary) -> bytes:
    """A one-page PDF with `action` on a link annotation of its page."""
    document = _open(pdf())
    document.pages[0].obj.Annots = pikepdf.Array(
        [
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=pikepdf.Array([72, 700, 300, 720]),
                A=action,
            )
        ]
    )
    return _save(document)


def submit_form_pdf() -> bytes:
    """A button that sends the form's fields to an address."""
    return _action_pdf(
        pikepdf.Dictionary(
            S=pikepdf.Name.SubmitForm,
            F=pikepdf.Dictionary(FS=pikepdf.Name.URL, F=pikepdf.String("http://127.0.0.1/")),
        )
    )


def import_data_pdf() -> bytes:
    """An action that fills the form from another file."""
    return _action_pdf(pikepdf.Dictionary(S=pikepdf.Name.ImportData, F=pikepdf.String("a.fdf")))


def remote_goto_pdf() -> bytes:
    """A link that opens another PDF file."""
    return _action_pdf(
        pikepdf.Dictionary(
            S=pikepdf.Name.GoToR,
            F=pikepdf.String("other.pdf"),
            D=pikepdf.Array([0, pikepdf.Name.Fit]),
        )
    )


def uri_pdf(uri: bytes) -> bytes:
    """A link to `uri`, written byte for byte."""
    return _action_pdf(pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(uri)))


def _with_raw_catalog_entry(entry: bytes) -> bytes:
    """A one-page PDF whose catalog holds `entry`, written as raw PDF syntax.

    pikepdf cannot name a key with bytes that are not UTF-8, so the entry is written into
    the file's bytes; qpdf then rewrites the file, so the offsets are right again and the
    result opens without a warning.
    """
    document = pikepdf.new()
    document.add_blank_page(page_size=(595, 842))
    raw = _save(
        document,
        qdf=True,
        compress_streams=False,
        object_stream_mode=pikepdf.ObjectStreamMode.disable,
    )
    patched = raw.replace(b"/Type /Catalog", b"/Type /Catalog " + entry, 1)
    with _open(patched) as repaired:
        return _save(repaired)


def latin1_name_pdf() -> bytes:
    """Keys and a value named in Latin-1 ("Café", "Clé"), as old producers wrote them."""
    return _with_raw_catalog_entry(b"/Caf#E9 << /Cl#E9 [ 1 2 << /Nom /R#E9sum#E9 >> ] >>")


def latin1_name_script_pdf() -> bytes:
    """The same, with a script hidden under the key that is not UTF-8."""
    return _with_raw_catalog_entry(
        b"/Caf#E9 << /Cl#E9 [ << /S /JavaScript /JS (app.alert(1)) >> ] >>"
    )


# Written once per count and process: a million objects take seconds to write, and several
# tests hand the same file to the scan (bytes, which no test can change).
@functools.cache
def many_objects_pdf(count: int) -> bytes:
    """`count` one-element arrays, each an indirect object, packed in compressed object
    streams: a few bytes per object on disk, a few hundred in a parser's memory."""
    return _many_objects(count)


def _many_objects(count: int, per_stream: int = 10_000) -> bytes:
    # Written by hand: building a million objects with pikepdf would itself cost a gigabyte.
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def write(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    write(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    write(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    write(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>")
    first = 4
    containers = (count + per_stream - 1) // per_stream
    stream_numbers = range(first + count, first + count + containers)
    for index, stream_number in enumerate(stream_numbers):
        numbers = range(
            first + index * per_stream, min(first + count, first + (index + 1) * per_stream)
        )
        bodies = [b"[%d]" % number for number in numbers]
        header, position = bytearray(), 0
        for number, body in zip(numbers, bodies, strict=True):
            header.extend(b"%d %d " % (number, position))
            position += len(body) + 1
        data = zlib.compress(bytes(header) + b" ".join(bodies))
        write(
            stream_number,
            b"<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
            % (len(bodies), len(header), len(data))
            + data
            + b"\nendstream",
        )
    xref_number = first + count + containers
    size = xref_number + 1
    rows = bytearray(struct.pack(">BIH", 0, 0, 65535))
    for number in range(1, size):
        if number < first or number in stream_numbers:
            rows.extend(struct.pack(">BIH", 1, offsets[number], 0))
        elif number < first + count:
            index = (number - first) // per_stream
            rows.extend(
                struct.pack(">BIH", 2, stream_numbers[index], (number - first) % per_stream)
            )
        else:  # the cross-reference stream itself
            rows.extend(struct.pack(">BIH", 1, len(out), 0))
    table = zlib.compress(bytes(rows))
    start = len(out)
    write(
        xref_number,
        b"<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d /Filter /FlateDecode >>"
        b"\nstream\n" % (size, len(table)) + table + b"\nendstream",
    )
    out.extend(b"startxref\n%d\n%%%%EOF\n" % start)
    return bytes(out)


def oversize_pdf(limit_bytes: int) -> bytes:
    """A valid PDF just over `limit_bytes`, padded with an uncompressed comment stream."""
    base = pdf()
    document = _open(base)
    padding = document.make_stream(b"%" + b"0" * (limit_bytes - len(base) + 1024))
    document.Root.Padding = padding
    return _save(document, compress_streams=False)


# Other kinds of files ---------------------------------------------------------------------


def docx() -> bytes:
    """A minimal Word document: what a candidate sends when they rename cv.docx to cv.pdf."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>CV</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return out.getvalue()


def image(kind: str, width: int, height: int, *, exif_orientation: int | None = None) -> bytes:
    picture = Image.new("RGB", (width, height), (180, 190, 200))
    for x in range(0, width, 7):  # some detail, so that the JPEG is not trivially small
        picture.putpixel((x, (x * 3) % height), (20, 30, 40))
    out = io.BytesIO()
    options: dict[str, object] = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        options["exif"] = exif.tobytes()
    picture.save(out, format=kind, **options)
    return out.getvalue()


def jpeg(width: int = 600, height: int = 800, **options: int) -> bytes:
    return image("JPEG", width, height, **options)


def png(width: int = 600, height: int = 800) -> bytes:
    return image("PNG", width, height)


def truncated_jpeg() -> bytes:
    data = jpeg()
    return data[: len(data) // 2]


def eicar() -> bytes:
    return EICAR


# Archives ---------------------------------------------------------------------------------


def zip_of(entries: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2024, 2, 1, 12, 0, 0)), data, compress_type=method
            )
    return out.getvalue()


def zip_bomb(*, megabytes: int = 20) -> bytes:
    """One entry of zeros that deflates about a thousand times: a classic bomb."""
    out = io.BytesIO()
    block = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("cv.pdf", "w") as entry,
    ):
        for _ in range(megabytes):
            entry.write(block)
    return out.getvalue()


def zip_slip() -> bytes:
    return zip_of({"../../etc/cron.d/cv.pdf": pdf(), "cv.pdf": pdf()})


def future_version_zip() -> bytes:
    """A member whose central-directory entry asks for ZIP version 23.6, which Python's
    zipfile refuses with NotImplementedError while opening the archive (found by fuzzing)."""
    data = bytearray(zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}))
    at = data.index(b"PK\x01\x02")
    data[at + 6 : at + 8] = (236).to_bytes(2, "little")  # version needed to extract
    return bytes(data)


def nested_zip() -> bytes:
    return zip_of({"cv.pdf": pdf(), "diplome.pdf": zip_of({"inner.pdf": pdf()})})


# The corpus of single files, with their expected outcome -----------------------------------


@dataclass(frozen=True)
class Sample:
    name: str
    filename: str
    requirement: str  # code of the test rulebook's requirement it is sent for
    make: Callable[[], bytes]
    expected: str  # ACCEPTED, INFECTED, or a RefusalCode value


# The test rulebook's limits (tests/documents/conftest.py): cv at most 1 MB and 3 pages.
CV_MAX_BYTES = 1024 * 1024

CORPUS: tuple[Sample, ...] = (
    Sample("valid PDF", "cv.pdf", "cv", pdf, ACCEPTED),
    Sample("valid PDF at the page limit", "cv.pdf", "cv", lambda: pdf(pages=3), ACCEPTED),
    Sample(
        "PDF over the page limit",
        "cv.pdf",
        "cv",
        lambda: pdf(pages=4),
        RefusalCode.PDF_TOO_MANY_PAGES,
    ),
    Sample("truncated PDF", "cv.pdf", "cv", truncated_pdf, RefusalCode.PDF_DAMAGED),
    Sample("garbage behind a PDF header", "cv.pdf", "cv", garbage_pdf, RefusalCode.PDF_UNREADABLE),
    Sample("password-protected PDF", "cv.pdf", "cv", encrypted_pdf, RefusalCode.PDF_ENCRYPTED),
    Sample("owner-locked PDF", "cv.pdf", "cv", owner_locked_pdf, RefusalCode.PDF_ENCRYPTED),
    Sample(
        "PDF with an opening script",
        "cv.pdf",
        "cv",
        javascript_open_action_pdf,
        RefusalCode.PDF_JAVASCRIPT,
    ),
    Sample(
        "PDF with a page script",
        "cv.pdf",
        "cv",
        javascript_page_action_pdf,
        RefusalCode.PDF_JAVASCRIPT,
    ),
    Sample(
        "PDF with a document script",
        "cv.pdf",
        "cv",
        javascript_name_tree_pdf,
        RefusalCode.PDF_JAVASCRIPT,
    ),
    Sample(
        "PDF with a deeply nested script",
        "cv.pdf",
        "cv",
        javascript_nested_pdf,
        RefusalCode.PDF_JAVASCRIPT,
    ),
    Sample("PDF launching a program", "cv.pdf", "cv", launch_pdf, RefusalCode.PDF_LAUNCH),
    Sample(
        "PDF with an embedded file",
        "cv.pdf",
        "cv",
        embedded_file_pdf,
        RefusalCode.PDF_EMBEDDED_FILE,
    ),
    Sample(
        "PDF with a file attachment annotation",
        "cv.pdf",
        "cv",
        file_attachment_annotation_pdf,
        RefusalCode.PDF_EMBEDDED_FILE,
    ),
    Sample("PDF with names that are not UTF-8", "cv.pdf", "cv", latin1_name_pdf, ACCEPTED),
    Sample(
        "PDF with a script under a name that is not UTF-8",
        "cv.pdf",
        "cv",
        latin1_name_script_pdf,
        RefusalCode.PDF_JAVASCRIPT,
    ),
    Sample(
        "PDF with a form that sends its fields",
        "cv.pdf",
        "cv",
        submit_form_pdf,
        RefusalCode.PDF_FORM_ACTION,
    ),
    Sample(
        "PDF with a link that opens another file",
        "cv.pdf",
        "cv",
        remote_goto_pdf,
        RefusalCode.PDF_REMOTE_LINK,
    ),
    Sample(
        "PDF with a javascript: link",
        "cv.pdf",
        "cv",
        lambda: uri_pdf(b" JavaScript:app.alert(1)"),
        RefusalCode.PDF_JAVASCRIPT,
    ),
    Sample("DOCX renamed .pdf", "cv.pdf", "cv", docx, RefusalCode.WRONG_TYPE),
    Sample("JPEG sent for a PDF-only document", "cv.pdf", "cv", jpeg, RefusalCode.WRONG_TYPE),
    Sample("valid JPEG", "photo.jpg", "photo", jpeg, ACCEPTED),
    Sample("PNG named .jpg", "photo.jpg", "photo", png, RefusalCode.WRONG_TYPE),
    Sample("tiny JPEG", "photo.jpg", "photo", lambda: jpeg(40, 50), RefusalCode.IMAGE_TOO_SMALL),
    Sample(
        "portrait JPEG stored sideways",
        "photo.jpg",
        "photo",
        lambda: jpeg(800, 600, exif_orientation=6),
        ACCEPTED,
    ),
    Sample("truncated JPEG", "photo.jpg", "photo", truncated_jpeg, RefusalCode.IMAGE_UNREADABLE),
    Sample("PDF sent for a JPEG-only document", "photo.jpg", "photo", pdf, RefusalCode.WRONG_TYPE),
    Sample("EICAR test virus", "cv.pdf", "cv", eicar, INFECTED),
    Sample("empty file", "cv.pdf", "cv", lambda: b"", RefusalCode.EMPTY),
    Sample(
        "over-size PDF", "cv.pdf", "cv", lambda: oversize_pdf(CV_MAX_BYTES), RefusalCode.TOO_LARGE
    ),
)


@dataclass(frozen=True)
class ArchiveSample:
    name: str
    make: Callable[[], bytes]
    problem: str  # the code of the problem the import report must give


ARCHIVES: tuple[ArchiveSample, ...] = (
    ArchiveSample("zip bomb", zip_bomb, "zip_bomb"),
    ArchiveSample("zip-slip entry", zip_slip, "unsafe_path"),
    ArchiveSample("absolute path", lambda: zip_of({"/tmp/cv.pdf": pdf()}), "unsafe_path"),
    ArchiveSample("nested archive", nested_zip, "nested_archive"),
    ArchiveSample("DOCX inside", lambda: zip_of({"cv.pdf": docx()}), RefusalCode.WRONG_TYPE),
    ArchiveSample("PNG inside", lambda: zip_of({"photo.jpg": png()}), RefusalCode.WRONG_TYPE),
    ArchiveSample("unknown name", lambda: zip_of({"resume.pdf": pdf()}), "unknown_document"),
    ArchiveSample("not a ZIP", pdf, "not_a_zip"),
    ArchiveSample("member of a future ZIP version", future_version_zip, "not_a_zip"),
    ArchiveSample("empty archive", lambda: zip_of({}), "empty_archive"),
    ArchiveSample(
        "broken PDF inside", lambda: zip_of({"cv.pdf": garbage_pdf()}), RefusalCode.PDF_UNREADABLE
    ),
)
