"""The files behind a report export in constant memory: the peak of 15,000 rows is that of
5,000, as CSV (streamed) and XLSX (written row by row to a temporary file), and the
workbook opens."""

from __future__ import annotations

import datetime as dt
import tempfile
import tracemalloc
import zipfile
from typing import IO

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from lxml import etree

from admissions.applications import queue
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.people.models import Role, User
from tests.factories import IN_NORD_CAMPAIGN, load_preset, programme_of, staff_member
from tests.statistics import analyze

pytestmark = pytest.mark.django_db
# The export reads in chunks; a smaller chunk than the shipped one keeps the test short under
# tracemalloc (which slows every allocation) while each list still spans several chunks: a
# chunk is read while the previous one is still held, so one or two chunks peak lower than
# any longer list.
CHUNK = 400
SMALL, LARGE = 4 * CHUNK, 12 * CHUNK
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue, "EXPORT_CHUNK", CHUNK)


def _files(campaign: Campaign, programme: Programme, count: int, prefix: str) -> None:
    """Submitted files written in bulk: the shape of the export, not the services' work."""
    password = make_password(None)
    User.objects.bulk_create(
        [User(email=f"{prefix}{i}@bench.invalid", password=password) for i in range(count)],
        batch_size=2000,
    )
    ids = list(
        User.objects.filter(email__startswith=prefix).order_by("pk").values_list("pk", flat=True)
    )
    now = timezone.now()
    Application.objects.bulk_create(
        [
            Application(
                reference=f"{prefix.upper()}-{i:06d}",
                candidate_id=pk,
                campaign=campaign,
                programme=programme,
                track="full_time",
                financing_mode="personnel",
                status="complete",
                submitted_at=now - dt.timedelta(minutes=i),
                entry_route="ingenieur-cti",
                eu_national=True,
                lives_abroad=False,
                sort_name=f"name {i}",
            )
            for i, pk in enumerate(ids)
        ],
        batch_size=2000,
    )


def _peak(client: Client, url: str, keep: IO[bytes] | None) -> int:
    """The highest memory traced while the answer is read through, block by block."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        response = client.get(url)
        assert response.status_code == 200
        # The test client closes the answer once read through, without closing the test's
        # database connection, as a second close() would (the request's end signal).
        for block in response.streaming_content:  # type: ignore[attr-defined]
            if keep is not None:
                keep.write(block)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _sheet_rows(workbook: IO[bytes]) -> int:
    """The rows of the workbook's only sheet, read with lxml: openpyxl reads through
    defusedxml's pure-Python parser, minutes for a long sheet on a loaded machine."""
    with zipfile.ZipFile(workbook) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        return sum(1 for _event, _row in etree.iterparse(sheet, tag=f"{{{SHEET_NS}}}row"))


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_files_export_in_the_same_memory_whatever_their_number() -> None:
    campaign = load_preset("imt-nord-europe")
    small = programme_of(campaign, "ms-cybersecurite")
    large = programme_of(campaign, "ms-transition-energetique")
    _files(campaign, small, SMALL, "small")
    _files(campaign, large, LARGE, "large")
    analyze(User, Application)
    client = Client()
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))

    def url(extension: str, programme: Programme) -> str:
        with translation.override("en"):
            path = reverse("office:report_files", args=[campaign.pk, extension])
        return f"{path}?programme={programme.pk}"

    for extension in ("csv", "xlsx"):
        _peak(client, url(extension, small), None)  # warm: templates, imports, caches
        few = _peak(client, url(extension, small), None)
        with tempfile.TemporaryFile() as kept:  # on disk, not in the memory measured
            many = _peak(client, url(extension, large), kept)
            # Three times the rows, not three times the memory: at most a fifth more.
            assert many < few * 1.2 + 256 * 1024, (extension, few, many)
            kept.seek(0)
            if extension == "xlsx":
                assert _sheet_rows(kept) == LARGE + 1
            else:
                assert kept.read().decode("utf-8-sig").count("\n") == LARGE + 1
