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

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.core.scheduler import run_due
from admissions.people.models import Role
from admissions.rules.deadlines import PARIS
from admissions.workflow.jobs import JOBS
from tests.e2e.conftest import JOURNEY, Journey, staff
from tests.e2e.people import (
    accept_every_document,
    add_education,
    add_work,
    enter_decision,
    fill_identity,
    fill_residence,
    find_admissible,
    headers_above_columns,
    seat_the_jury,
    show,
    sign_up,
    submit,
    upload_every_document,
    validate_and_publish,
)
from tests.factories import COVER_LETTER, PROFESSIONAL_PROJECT
from tests.payments.camt import statement
from tests.workflow.places_helpers import NORD_PROGRAMME, decided, set_capacity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), JOURNEY]

ROUTE = "Derogatory route: Bac+3 degree with at least 3 years of professional experience"
# The jobs the scheduler runs for offers whose window closed, in its order.
AFTER_THE_WINDOW = {"lapse_overdue_places", "waiting_list"}
CANDIDATE = "nour.haddad@candidate.example"
WAITING = "The one place of the programme is taken: first on the waiting list."


def test_a_waiting_candidate_is_called_and_confirms_at_imt_nord_europe(
    journey: Journey,
    schools: dict[str, Campaign],
    tmp_path: Path,
    clock: time_machine.Coordinates,
) -> None:
    nord = schools["imt-nord-europe"]
    # One place: the candidate admitted before waits for nobody, the one on the list waits.
    set_capacity(nord, NORD_PROGRAMME, 1)
    finance = staff("finance@imt-nord-europe.example", Role.FINANCE_OFFICER, nord)
    money = journey.person()
    journey.log_in(money, finance.email)

    # The candidate signs up and writes a Bac+3 licence and three years of work in the
    # profile.
    candidate = journey.person()
    sign_up(journey, candidate, CANDIDATE)
    fill_identity(candidate, journey, given="Nour", family="Haddad")
    fill_residence(candidate, journey)
    add_education(
        candidate, journey, level="3", kind="licence", title="Licence Informatique", year="2020"
    )
    add_work(candidate, journey, start="2020-09-01", employer="Orange Cyberdefense")
    candidate.goto(journey.at("/en/me/profile/"))
    journey.shot(candidate, "profile-bac3")

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
    application = Application.objects.get(candidate__email=CANDIDATE)
    reference = application.reference
    journey.shot(candidate, "derogatory-application")

    candidate.goto(journey.at(f"/en/documents/{reference}/"))
    sent = upload_every_document(candidate, tmp_path)
    assert "dossier-vapp" in sent, sent
    journey.shot(candidate, "documents-with-vapp")

    # The fee by transfer: the candidate reads the reference to quote, and the bank's
    # statement brings the transfer in; finance imports it.
    quoted = transfer_reference(candidate, journey, reference, "Application fee")
    import_statement(journey, money, statement("matched.xml", quoted), tmp_path)
    candidate.goto(journey.at(f"/en/me/applications/{reference}/"))
    with candidate.expect_navigation():
        candidate.click("button[name=action][value=submit]")
    journey.shot(candidate, "submitted")
    application.refresh_from_db()
    assert application.status == "submitted", show(candidate)
    assert application.eligibility["route"] == "derogatoire-bac3-experience"

    # The other offer, made through the services (the office's pages for an admission are
    # walked in the IMT-BS journey): admitted on 12 February, its window ends 15 days later,
    # and it holds the one place.
    other = decided(nord, NORD_PROGRAMME, "publish_admitted")

    officer = staff("officer@imt-nord-europe.example", Role.ADMISSIONS_OFFICER, nord)
    lead = staff("lead@imt-nord-europe.example", Role.PEDAGOGICAL_LEAD, nord)
    president = staff("president@imt-nord-europe.example", Role.JURY_PRESIDENT, nord)
    jurors = [
        staff(f"juror{n}@imt-nord-europe.example", Role.JURY_MEMBER, nord, first_name=f"Juré {n}")
        for n in (1, 2)
    ]

    # The officer accepts the documents, the VAPP file among them; the lead finds the file
    # admissible (the school's interview is not mandatory).
    office = journey.person()
    journey.log_in(office, officer.email)
    accept_every_document(journey, office, reference)
    application.refresh_from_db()
    assert application.status == "complete", show(office)
    pedagogy = journey.person()
    journey.log_in(pedagogy, lead.email)
    find_admissible(journey, pedagogy, reference)
    application.refresh_from_db()
    assert application.status == "admissible", show(pedagogy)

    # The March jury the rulebook sets: the officer seats it and places the file.
    office.goto(journey.at("/en/office/jury/"))
    with office.expect_navigation():
        office.get_by_role("link", name="March 2024 admission jury").click()
    session_url = seat_the_jury(
        office, [(jurors[0], "member"), (jurors[1], "member"), (president, "president")], reference
    )
    journey.shot(office, "jury-session")
    # The places' table keeps its headers above their columns on a wide screen.
    assert headers_above_columns(office, "section:has(#places) table") == []

    # The places are taken: a member puts the candidate first on the waiting list, the
    # president validates and publishes.
    juror = journey.person()
    journey.log_in(juror, jurors[0].email)
    juror.goto(session_url)
    enter_decision(juror, reference, "waitlisted", rank=1, reason=WAITING)
    card = juror.locator(f"#file-{reference}")
    assert "Waiting list (rank 1)" in card.inner_text(), show(juror)
    journey.shot(juror, "jury-waiting-list")
    chair = journey.person()
    journey.log_in(chair, president.email)
    chair.goto(session_url)
    validate_and_publish(chair)
    journey.shot(chair, "jury-published")
    application.refresh_from_db()
    assert application.status == "waitlisted", show(chair)
    assert application.waitlist_rank == 1

    candidate.goto(journey.at(f"/en/me/applications/{reference}/status/"))
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
    journey.log_in(candidate, CANDIDATE)
    journey.log_in(money, finance.email)
    candidate.goto(journey.at(f"/en/me/applications/{reference}/status/"))
    journey.shot(candidate, "called-from-the-list")
    upload_every_document(candidate_documents(candidate, journey, reference), tmp_path)
    quoted = transfer_reference(candidate, journey, reference, "Tuition (1)")
    amount = candidate.locator("dl.facts dd.code").first.inner_text()
    import_statement(journey, money, instalment_statement(quoted, amount), tmp_path)
    candidate.goto(journey.at(f"/en/me/applications/{reference}/status/"))
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
