"""The office's exports through the API: the list of files with its filters (CSV and XLSX)
and the enrolment export, streamed as the pages stream them, within the caller's scope."""

from __future__ import annotations

import csv
import io

from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign
from admissions.people.models import Role, User
from admissions.workflow.confirmation import confirm_place
from admissions.workflow.submission import submit
from tests.factories import eligible_candidate, programme_of, ready_application, staff_member
from tests.workflow.places_helpers import NORD_PROGRAMME, decided

FUNDED = {"financing_mode": "plan-formation-entreprise"}


def as_(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def streamed(answer: object) -> bytes:
    return b"".join(answer.streaming_content)  # type: ignore[attr-defined]


def sent(campaign: Campaign) -> str:
    candidate = eligible_candidate()
    application = ready_application(candidate, campaign, programme_of(campaign, NORD_PROGRAMME))
    return submit(application, by=candidate).reference


def test_the_list_exported_with_its_filters_as_the_page_exports_it(nord: Campaign) -> None:
    submitted = sent(nord)
    admitted = decided(nord, NORD_PROGRAMME, "publish_admitted", **FUNDED)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    client = as_(officer)
    answer = client.get("/api/v1/staff/exports/files.csv", {"status": "submitted"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert answer.streaming
    body = streamed(answer)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [submitted]
    with translation.override("en"):
        page = as_(officer).get(reverse("office:export") + "?status=submitted")
    assert streamed(page) == body
    everything = client.get("/api/v1/staff/exports/files.xlsx")
    assert everything.status_code == 200
    sheet = load_workbook(io.BytesIO(streamed(everything))).active
    references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert references == {submitted, admitted.reference}


def test_the_enrolment_export(nord: Campaign) -> None:
    application = decided(nord, NORD_PROGRAMME, "publish_admitted", **FUNDED)
    confirm_place(application, by=application.candidate)
    application.refresh_from_db()
    assert application.status == Status.CONFIRMED
    finance = as_(staff_member(Role.FINANCE_OFFICER, institution=nord.institution), "fr")
    answer = finance.get("/api/v1/staff/exports/enrolment.csv", {"campaign": str(nord.pk)})
    assert answer.status_code == 200
    text = streamed(answer).decode("utf-8-sig")
    assert application.reference in text
    assert text.splitlines()[0].startswith("Candidature,Statut,Confirmé le")  # in French
    workbook = finance.get("/api/v1/staff/exports/enrolment.xlsx")
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(streamed(workbook))).active
    assert application.reference in {
        str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
    }


def test_outside_the_scope_nothing_is_exported(
    nord: Campaign, bs: Campaign, client: Client
) -> None:
    sent(nord)
    stranger = as_(staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution))
    rows = streamed(stranger.get("/api/v1/staff/exports/files.csv")).decode("utf-8-sig")
    assert len(rows.strip().splitlines()) == 1  # the header alone
    candidate = as_(eligible_candidate())
    for path in ("files.csv", "files.xlsx", "enrolment.csv", "enrolment.xlsx"):
        assert candidate.get(f"/api/v1/staff/exports/{path}").status_code == 404
        assert client.get(f"/api/v1/staff/exports/{path}").status_code == 401
    interviewer = as_(staff_member(Role.INTERVIEWER, institution=nord.institution))
    assert interviewer.get("/api/v1/staff/exports/enrolment.csv").status_code == 404
    too_long = as_(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)).get(
        "/api/v1/staff/exports/files.csv", {"q": "x" * 101}
    )
    assert too_long.status_code == 422
    assert too_long.json()["details"][0]["field"] == "q"


def test_the_enrolment_export_is_written_in_the_language_asked_for(nord: Campaign) -> None:
    """Its lines are written once the view has returned, when the API's language is no
    longer active: what the thread then speaks must not reach the file."""
    application = decided(nord, NORD_PROGRAMME, "publish_admitted", **FUNDED)
    confirm_place(application, by=application.candidate)
    finance = as_(staff_member(Role.FINANCE_OFFICER, institution=nord.institution), "en")
    with translation.override("fr"):
        answer = finance.get("/api/v1/staff/exports/enrolment.csv", {"campaign": str(nord.pk)})
        rows = list(csv.reader(io.StringIO(streamed(answer).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Application", "Status", "Confirmed on"]
    assert rows[1][0] == application.reference
    assert rows[1][1] == "Place confirmed"
