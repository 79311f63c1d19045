"""Files from the test suites of qpdf and pypdf, each with the outcome its README row gives.

The files live in `data/` with their source and licence; the table of `data/README.md` is
read here, so the documentation and the expectation cannot drift apart.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from admissions.applications.models import Application
from admissions.documents.pdfcheck import inspect_pdf
from admissions.documents.refusals import Refusal
from admissions.people.models import User

DATA = Path(__file__).parent / "data"
ROW = re.compile(r"^\| `(?P<file>[^`]+\.pdf)` \| [^|]+ \| (?P<outcome>accepted|`[a-z_]+`) \|")


def _rows() -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / "README.md").read_text(encoding="utf-8").splitlines():
        if match := ROW.match(line):
            rows.append((match["file"], match["outcome"].strip("`")))
    return rows


ROWS = _rows()


def test_the_table_names_every_file_of_the_folder() -> None:
    on_disk = sorted(str(path.relative_to(DATA)) for path in DATA.glob("*/*.pdf"))
    assert sorted(name for name, _outcome in ROWS) == on_disk
    assert len(ROWS) >= 20


def outcome_of(data: bytes) -> tuple[str, str]:
    """The refusal's code and message, or "accepted" and no message."""
    try:
        inspect_pdf(io.BytesIO(data), max_pages=None)
    except Refusal as refusal:
        return refusal.code.value, refusal.message
    return "accepted", ""


@pytest.mark.parametrize(("name", "outcome"), ROWS, ids=[name for name, _outcome in ROWS])
def test_each_file_gets_its_outcome(name: str, outcome: str) -> None:
    code, message = outcome_of((DATA / name).read_bytes())
    assert code == outcome
    assert bool(message) == (outcome != "accepted")  # a refusal is told in a sentence


def test_a_file_with_names_that_are_not_utf8_is_accepted_through_the_api(
    client: Client, candidate: User, application: Application
) -> None:
    client.force_login(candidate)
    data = (DATA / "qpdf" / "weird-tokens.pdf").read_bytes()
    response = client.post(
        f"/api/v1/documents/{application.reference}/cv",
        {"file": SimpleUploadedFile("cv.pdf", data)},
    )
    assert response.status_code == 201, response.content
    assert response.json()["accepted"] is True
