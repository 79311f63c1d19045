"""IMT Nord Europe, the derogatory route and the waiting list: a Bac+3 candidate with three
years of experience applies with a VAPP file, pays the fee by bank transfer that finance
reconciles from the bank's camt.053 statement, waits on the list, is called when another
admitted candidate lets the 15 days pass, and confirms with the first instalment."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine

from admissions.applications.history import transition
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.core.scheduler import run_due
from admissions.people.models import Role
from admissions.rules.deadlines import PARIS
from admissions.workflow.jobs import JOBS
from tests.e2e.conftest import Journey, staff, verify
from tests.e2e.people import show, submit, upload_every_document
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    CandidateProfileFactory,
    EducationFactory,
    WorkPeriodFactory,
)
from tests.payments.camt import statement
from tests.workflow.places_helpers import NORD_PROGRAMME, decided, set_capacity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROUTE = "Derogatory route: Bac+3 degree with at least 3 years of professional experience"
# The jobs the scheduler runs for offers whose window closed, in its order.
AFTER_THE_WINDOW = {"lapse_overdue_places", "waiting_list"}


def test_a_waiting_candidate_is_called_and_confirms_at_imt_nord_europe(
    journey: Journey,
    schools: dict[str, Campaign],
    tmp_path: Path,
    clock: time_machine.Coordinates,
) -> None:
    nord = schools["imt-nord-europe"]
    # One place: the candidate admitted before waits for nobody, the one on the list waits.
    set_capacity(nord, NORD_PROGRAMME, 1)
    profile = CandidateProfileFactory(given_names="Nour", family_name="Haddad")
    EducationFactory(profile=profile, level=3, diploma_kind="licence", title="Licence Informatique")
    WorkPeriodFactory(profile=profile, start=dt.date(2020, 9, 1))
    verify(profile.user)
    email = profile.user.email
    finance = staff("finance@imt-nord-europe.example", Role.FINANCE_OFFICER, nord)
    money = journey.person()
    journey.log_in(money, finance.email)

    candidate = journey.person()
    journey.log_in(candidate, email)
    candidate.goto(journey.at("/en/me/applications/new/"))
    with candidate.expect_navigation():
        candidate.get_by_role("link", name=re.compile("^Apply.*Cybersecurity")).click()
    submit(candidate)
    assert ROUTE in candidate.inner_text("main"), show(candidate)
    for name, text in (
        ("cover_letter", COVER_LETTER),
        ("professional_project", PROFESSIONAL_PROJECT),
    ):
        box = candidate.locator(f"textarea[name={name}]")
        if box.count():
            box.fill(text)
    with candidate.expect_navigation():
        candidate.click("button[name=action][value=save]")
    application = Application.objects.get(candidate__email=email)
    journey.shot(candidate, "derogatory-application")

    candidate.goto(journey.at(f"/en/documents/{application.reference}/"))
    sent = upload_every_document(candidate, tmp_path)
    assert "dossier-vapp" in sent, sent
    journey.shot(candidate, "documents-with-vapp")

    # The fee by transfer: the candidate reads the reference to quote, and the bank's
    # statement brings the transfer in; finance imports it.
    reference = transfer_reference(candidate, journey, application.reference, "Application fee")
    import_statement(journey, money, statement("matched.xml", reference), tmp_path)
    candidate.goto(journey.at(f"/en/me/applications/{application.reference}/"))
    with candidate.expect_navigation():
        candidate.click("button[name=action][value=submit]")
    journey.shot(candidate, "submitted")
    application.refresh_from_db()
    assert application.status == "submitted", show(candidate)
    assert application.eligibility["route"] == "derogatoire-bac3-experience"

    # The other offer, made through the services before (the office's pages for it are
    # walked in the IMT-BS journey): admitted on 12 February, its window ends 15 days later.
    other = decided(nord, NORD_PROGRAMME, "publish_admitted")
    officer = staff("officer@imt-nord-europe.example", Role.ADMISSIONS_OFFICER, nord)
    # The office's review up to the jury's agenda, through the same services.
    for step in ("mark_complete", "record_admissible", "place_on_agenda"):
        transition(application, action=step, by=officer)
    transition(application, action="publish_waitlisted", by=None)
    Application.objects.filter(pk=application.pk).update(waitlist_rank=1)

    candidate.goto(journey.at(f"/en/me/applications/{application.reference}/status/"))
    journey.shot(candidate, "waiting-list")
    assert "waiting list" in candidate.inner_text("main").lower(), show(candidate)

    # The window of the other offer passes; the scheduler runs its jobs.
    clock.move_to(dt.datetime(2024, 2, 28, 9, 0, tzinfo=PARIS))
    outcomes = run_due([job for job in JOBS if job.name in AFTER_THE_WINDOW], force=True)
    assert all(not outcome.failed for outcome in outcomes), outcomes
    other.refresh_from_db()
    application.refresh_from_db()
    assert other.status == "lapsed"
    assert application.status == "admitted"

    # Sixteen days on, both sessions ended: each logs in again. The candidate pays the first
    # instalment by transfer and confirms the place.
    journey.log_in(candidate, email)
    journey.log_in(money, finance.email)
    candidate.goto(journey.at(f"/en/me/applications/{application.reference}/status/"))
    journey.shot(candidate, "called-from-the-list")
    upload_every_document(candidate_documents(candidate, journey, application.reference), tmp_path)
    reference = transfer_reference(candidate, journey, application.reference, "Tuition (1)")
    amount = candidate.locator("dl.facts dd.code").first.inner_text()
    import_statement(journey, money, instalment_statement(reference, amount), tmp_path)
    candidate.goto(journey.at(f"/en/me/applications/{application.reference}/status/"))
    submit(candidate, "form:has(button:text('Confirm my place'))")
    journey.shot(candidate, "confirmed")
    application.refresh_from_db()
    assert application.status == "confirmed", show(candidate)


def candidate_documents(page: Any, journey: Journey, reference: str) -> Any:
    page.goto(journey.at(f"/en/documents/{reference}/"))
    return page


def transfer_reference(page: Any, journey: Journey, file: str, row: str) -> str:
    """The creditor reference the candidate's transfer page says to quote for a line of the
    payments page."""
    page.goto(journey.at(f"/en/payments/{file}/"))
    with page.expect_navigation():
        page.locator("tr", has_text=row).get_by_role("link", name="Pay by bank transfer").click()
    journey.shot(page, "transfer")
    printed = page.locator("dt:text-is('Reference to quote') + dd").inner_text()
    return printed.replace(" ", "").replace("\u00a0", "")


def instalment_statement(reference: str, amount: str) -> bytes:
    euros = re.sub(r"[^\d.,]", "", amount).replace(",", "")
    return (
        statement("matched.xml", reference)
        .replace(b"60.00", euros.encode())
        .replace(b"MATCHED", b"INSTALMENT")
        .replace(b"BANK-0001", b"BANK-0002")
    )


def import_statement(journey: Journey, page: Any, data: bytes, folder: Path) -> None:
    """Finance uploads the bank's statement on the statements page."""
    page.goto(journey.at("/en/office/finance/statements/"))
    file = folder / "releve.xml"
    file.write_bytes(data)
    page.set_input_files("input[name=statement]", str(file))
    submit(page)
    journey.shot(page, "statement-imported")
    assert "Matched" in page.inner_text("main"), show(page)
