"""A campaign's balances export in constant memory: the peak of 2,400 files is that of
800, as CSV (streamed) and XLSX (written row by row to a temporary file)."""

from __future__ import annotations

import tempfile
import tracemalloc
from typing import IO

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.models import Application
from admissions.payments import exports
from admissions.payments.models import FileBalance
from admissions.people.models import Role, User
from tests.factories import IN_NORD_CAMPAIGN, load_preset, programme_of, staff_member
from tests.statistics import analyze

pytestmark = pytest.mark.django_db
# Smaller chunks than the shipped ones keep the test short under tracemalloc while each
# list spans several chunks (see tests/office/test_report_exports_memory.py). At these
# sizes, rows held whole would still break the bound by a third: an export that lists the
# rows before writing them peaks at 3.0 MB for 2,400 files against 1.65 MB for 800 (XLSX;
# the CSV fails by more), the streamed one at 1.0-1.2 MB for both.
CHUNK = 200
SMALL, LARGE = 4 * CHUNK, 12 * CHUNK


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "CHUNK", CHUNK)


def _peak(client: Client, url: str, keep: IO[bytes] | None) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        response = client.get(url)
        assert response.status_code == 200
        assert response.streaming
        for block in response.streaming_content:  # type: ignore[attr-defined]
            if keep is not None:
                keep.write(block)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_balances_export_in_the_same_memory_whatever_the_number_of_files() -> None:
    campaign = load_preset("imt-nord-europe")
    programme = programme_of(campaign, "ms-cybersecurite")
    password = make_password(None)
    User.objects.bulk_create(
        [User(email=f"owes{i}@bench.invalid", password=password) for i in range(LARGE)],
        batch_size=2000,
    )
    ids = User.objects.filter(email__startswith="owes").order_by("pk").values_list("pk", flat=True)
    Application.objects.bulk_create(
        [
            Application(
                reference=f"OWES-{i:06d}",
                candidate_id=pk,
                campaign=campaign,
                programme=programme,
                track="full_time",
                financing_mode="personnel",
                status="complete",
            )
            for i, pk in enumerate(ids)
        ],
        batch_size=2000,
    )
    files = Application.objects.filter(reference__startswith="OWES-").order_by("pk")
    # Written in bulk: the shape of the export, not the ledger's work. SMALL files still owe.
    FileBalance.objects.bulk_create(
        [
            FileBalance(
                application_id=pk,
                campaign=campaign,
                charged=6_000,
                received=6_000 if n >= SMALL else 1_000,
                outstanding=0 if n >= SMALL else 5_000,
            )
            for n, pk in enumerate(files.values_list("pk", flat=True))
        ],
        batch_size=2000,
    )
    analyze(User, Application, FileBalance)
    client = Client()
    client.force_login(staff_member(Role.FINANCE_OFFICER, institution=campaign.institution))
    with translation.override("en"):
        path = reverse("office:finance:balance_campaign", args=[campaign.pk])
    for extension in ("csv", "xlsx"):
        owing = f"{path}?owing=1&format={extension}"
        _peak(client, owing, None)  # warm: templates, imports, caches
        few = _peak(client, owing, None)
        with tempfile.TemporaryFile() as kept:  # on disk, not in the memory measured
            many = _peak(client, f"{path}?format={extension}", kept)
            # Three times the rows, not three times the memory: at most a fifth more.
            assert many < few * 1.2 + 256 * 1024, (extension, few, many)
            kept.seek(0)
            if extension == "csv":
                assert sum(1 for _line in kept) == LARGE + 1
