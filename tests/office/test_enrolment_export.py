"""The enrolment export: confirmed candidates only, of the programmes in the reader's scope,
as CSV and XLSX, with what a student information system needs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from admissions.catalog.models import Campaign
from admissions.documents.models import Document
from admissions.people.models import CandidateProfile, Role
from admissions.workflow.confirmation import confirm_place
from admissions.workflow.international import record_campus_france_number
from tests.factories import IN_NORD_CAMPAIGN, load_preset, staff_member
from tests.workflow.places_helpers import NORD_PROGRAMME, decided

FUNDED = {"financing_mode": "plan-formation-entreprise"}


@pytest.fixture
def nord(db: None) -> Iterator[Campaign]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        yield load_preset("imt-nord-europe")


def english(name: str) -> str:
    with translation.override("en"):
        return reverse(name)


def _confirmed(nord: Campaign, *, nationality: str = "FR") -> object:
    application = decided(nord, NORD_PROGRAMME, "publish_admitted", **FUNDED)
    CandidateProfile.objects.filter(user=application.candidate).update(nationality=nationality)
    confirm_place(application, by=application.candidate)
    return application


def _csv(client: Client) -> list[dict[str, str]]:
    answer = client.get(english("office:enrolment_csv"))
    assert answer.status_code == 200
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_confirmed_candidates_with_their_enrolment_fields(nord: Campaign) -> None:
    confirmed = _confirmed(nord)
    moroccan = _confirmed(nord, nationality="MA")
    record_campus_france_number(moroccan, by=moroccan.candidate, number="MA24-00042")
    Document.objects.create(
        application=confirmed, requirement_code="attestation-cvec", number="LIL1-2024-00017"
    )
    decided(nord, NORD_PROGRAMME, "publish_admitted", **FUNDED)  # not confirmed: left out
    officer = staff_member(Role.FINANCE_OFFICER, institution=nord.institution)
    client = Client()
    client.force_login(officer)
    rows = _csv(client)
    assert [row["Application"] for row in rows] == [confirmed.reference, moroccan.reference]
    first, second = rows
    profile = CandidateProfile.objects.get(user=confirmed.candidate)
    CandidateProfile.objects.filter(pk=profile.pk).update(birth_place="Roubaix (France)")
    first = _csv(client)[0]
    assert first["Place of birth"] == "Roubaix (France)"
    assert first["Family name"] == profile.family_name
    assert first["Date of birth"] == profile.birth_date.isoformat()
    assert first["Programme code"] == NORD_PROGRAMME
    assert first["Academic year"] == "2024-2025"
    assert first["Financing code"] == "plan-formation-entreprise"
    assert first["CVEC certificate number"] == "LIL1-2024-00017"
    assert first["Highest diploma"]
    assert second["Nationality"] == "MA"
    assert second["Études en France number"] == "MA24-00042"
    answer = client.get(english("office:enrolment_xlsx"))
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    sheet = book.worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Application"
    assert [row[0] for row in values[1:]] == [confirmed.reference, moroccan.reference]


def test_a_formula_typed_by_a_candidate_is_not_run(nord: Campaign) -> None:
    confirmed = _confirmed(nord)
    CandidateProfile.objects.filter(user=confirmed.candidate).update(address="=HYPERLINK(1)")
    client = Client()
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    assert _csv(client)[0]["Postal address"] == "'=HYPERLINK(1)"


def test_the_export_reads_in_a_constant_number_of_queries(nord: Campaign) -> None:
    client = Client()
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    _confirmed(nord)
    _csv(client)
    with CaptureQueriesContext(connection) as few:
        _csv(client)
    for _ in range(3):
        _confirmed(nord, nationality="MA")
    with CaptureQueriesContext(connection) as many:
        assert len(_csv(client)) == 4
    assert len(many) == len(few)


def test_outside_the_scope_nothing_or_404(nord: Campaign) -> None:
    _confirmed(nord)
    bs = load_preset("imt-bs")
    client = Client()
    client.force_login(staff_member(Role.FINANCE_OFFICER, institution=bs.institution))
    assert _csv(client) == []
    for role in (Role.JURY_MEMBER, Role.INTERVIEWER):
        client.force_login(staff_member(role, institution=nord.institution))
        assert client.get(english("office:enrolment_csv")).status_code == 404
