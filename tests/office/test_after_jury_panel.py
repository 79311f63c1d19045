"""The file page past the jury: the condition lifted through the office's buttons, the visa's
outcome recorded; the candidate's status page shows each step."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign
from admissions.demo.candidates import sample_pdf
from admissions.documents.services import upload_document
from admissions.people.models import CandidateProfile, Role
from admissions.workflow.models import InternationalFile, VisaOutcome
from tests.factories import IN_NORD_CAMPAIGN, load_preset, staff_member
from tests.workflow.places_helpers import NORD_PROGRAMME, before_the_jury, decided

FUNDED = {"financing_mode": "plan-formation-entreprise"}


@pytest.fixture
def nord(db: None) -> Iterator[Campaign]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        yield load_preset("imt-nord-europe")


def english(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_the_office_asks_accepts_and_lifts_the_condition(nord: Campaign) -> None:
    application = before_the_jury(nord, NORD_PROGRAMME, **FUNDED)
    transition(application, action="publish_admitted_conditionally", by=None)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    office, candidate = Client(), Client()
    office.force_login(officer)
    candidate.force_login(application.candidate)
    status_page = english("portal:application_status", application.reference)
    page = candidate.get(status_page).content.decode()
    assert 'id="condition"' in page
    assert "6 October 2024" in page
    file_page = office.get(english("office:file", application.reference)).content.decode()
    assert 'id="after-jury"' in file_page
    # Lifting before the diploma is in is refused, with the reason.
    answer = office.post(english("office:lift_condition", application.reference), follow=True)
    assert "Accept the obtained diploma" in answer.content.decode()
    answer = office.post(english("office:diploma", application.reference), follow=True)
    assert "The obtained diploma is asked for." in answer.content.decode()
    upload_document(
        application=application,
        requirement_code="diplome",
        stream=io.BytesIO(sample_pdf("Diplôme obtenu")),
        filename="diplome.pdf",
        by=application.candidate,
        foreign_language=False,
    )
    office.post(english("office:diploma", application.reference), {"decision": "accept"})
    office.post(english("office:lift_condition", application.reference))
    application.refresh_from_db()
    assert application.status == Status.ADMITTED
    page = candidate.get(status_page).content.decode()
    assert "Condition lifted: the admission is final" in page


def test_the_visa_steps_on_both_pages(nord: Campaign) -> None:
    application = decided(nord, NORD_PROGRAMME, "publish_admitted", **FUNDED)
    CandidateProfile.objects.filter(user=application.candidate).update(nationality="SN")
    candidate = Client()
    candidate.force_login(application.candidate)
    status_page = english("portal:application_status", application.reference)
    assert 'id="visa"' in candidate.get(status_page).content.decode()
    candidate.post(
        english("portal:application_campus_france", application.reference), {"number": "SN24-777"}
    )
    certificate = candidate.get(
        english("portal:application_certificate", application.reference) + "?language=en"
    )
    assert certificate["Content-Type"] == "application/pdf"
    assert certificate.content.startswith(b"%PDF")
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    office = Client()
    office.force_login(officer)
    office.post(
        english("office:visa", application.reference),
        {"outcome": "granted", "decided_on": "2024-07-01"},
    )
    row = InternationalFile.objects.get(application=application)
    assert (row.campus_france_number, row.visa_outcome) == ("SN24-777", VisaOutcome.GRANTED)
    page = candidate.get(status_page).content.decode()
    assert "SN24-777" in page
    assert "Visa granted" in page
    other = Client()
    other.force_login(decided(nord, NORD_PROGRAMME, "publish_admitted", **FUNDED).candidate)
    url = english("portal:application_certificate", application.reference)
    assert other.get(url).status_code == 404


def test_the_waiting_candidate_sees_their_place_in_line(nord: Campaign) -> None:
    decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=1, **FUNDED)
    second = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=4, **FUNDED)
    client = Client()
    client.force_login(second.candidate)
    page = client.get(english("portal:application_status", second.reference)).content.decode()
    assert "You are number 2 in line today." in page
    assert "The jury ranked you 4." in page
