"""An over-size upload is cut off as it arrives, not read whole."""

from __future__ import annotations

import io

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory

from admissions.documents.uploadlimit import SizeLimitUploadHandler, declared_too_large

BOUNDARY = "----limit-test-boundary"


class CountingStream(io.BytesIO):
    """A request body that counts what the parser reads from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def multipart(file_bytes: bytes) -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            "token\r\n"
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="file"; filename="cv.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + file_bytes
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def parse(body: bytes, limit: int) -> tuple[SizeLimitUploadHandler, CountingStream, object, object]:
    request = RequestFactory().post("/")
    stream = CountingStream(body)
    handler = SizeLimitUploadHandler(request, limit)
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(body)),
    }
    post, files = MultiPartParser(
        meta, stream, [handler, TemporaryFileUploadHandler(request)]
    ).parse()
    return handler, stream, post, files


def test_the_parser_stops_reading_soon_after_the_limit() -> None:
    limit = 1024 * 1024
    body = multipart(b"%PDF-1.7\n" + b"0" * (20 * limit))
    handler, stream, post, files = parse(body, limit)
    assert handler.exceeded
    assert "file" not in files  # type: ignore[operator]
    assert post["csrfmiddlewaretoken"] == "token"  # type: ignore[index]  # fields before it stay
    # Read: the limit plus at most a few of the parser's 64 KB chunks, not the 20 MB sent.
    assert stream.consumed < limit + 4 * 64 * 1024
    assert stream.consumed < len(body) // 10


def test_a_file_within_the_limit_passes_whole() -> None:
    data = b"%PDF-1.7\n" + b"0" * 5000
    handler, _stream, _post, files = parse(multipart(data), 10_000)
    assert not handler.exceeded
    assert files["file"].read() == data  # type: ignore[index]


def test_the_declared_length_is_judged_before_reading() -> None:
    request = RequestFactory().post("/", data=b"x" * 10, content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = str(5 * 1024 * 1024)
    assert declared_too_large(request, 1024 * 1024)
    request.META["CONTENT_LENGTH"] = str(1024 * 1024 + 1000)  # the form's envelope is allowed
    assert not declared_too_large(request, 1024 * 1024)
    request.META["CONTENT_LENGTH"] = "not a number"
    assert not declared_too_large(request, 1024 * 1024)
