"""IMT-BS work-study, the whole way: from the eligibility check to the deposit refunded
once the OPCO agreement is validated, each person in their own browser."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.people.models import Role
from admissions.rules.deadlines import PARIS
from tests.documents import corpus
from tests.e2e.conftest import JOURNEY, Journey, staff
from tests.e2e.people import (
    accept_every_document,
    add_education,
    add_work,
    enter_decision,
    fill_identity,
    fill_residence,
    find_admissible,
    pay_by_card,
    seat_the_jury,
    show,
    sign_up,
    submit,
    upload,
    upload_every_document,
    validate_and_publish,
)
from tests.factories import PROFESSIONAL_PROJECT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), JOURNEY]

CANDIDATE = "lou.bernard@candidate.example"


def test_work_study_at_imt_bs(
    journey: Journey,
    schools: dict[str, Campaign],
    tmp_path: Path,
    clock: time_machine.Coordinates,
) -> None:
    candidate = journey.person()
    candidate.goto(journey.at("/en/eligibility/"))
    offer = candidate.locator("select[name=offer] option", has_text="Digital Transformation")
    candidate.select_option("select[name=offer]", offer.get_attribute("value"))
    candidate.check("input[name=track][value=work_study]")
    candidate.select_option("select[name=nationality]", "FR")
    candidate.select_option("select[name=residence_country]", "FR")
    candidate.select_option("select[name=diploma_level]", "5")
    candidate.select_option("select[name=diploma_kind]", "master_m2")
    candidate.select_option("select[name=diploma_country]", "FR")
    candidate.check("input[name=diploma_status][value=obtained]")
    candidate.fill("input[name=diploma_year]", "2019")
    candidate.fill("input[name=experience_years]", "4")
    submit(candidate)
    journey.shot(candidate, "eligibility")

    sign_up(journey, candidate, CANDIDATE)

    fill_identity(candidate, journey, given="Lou", family="Bernard")
    fill_residence(candidate, journey)
    add_education(candidate, journey, level="5", kind="master_m2", title="Master Management")
    add_work(candidate, journey, start="2020-01-06")
    candidate.goto(journey.at("/en/me/profile/"))
    journey.shot(candidate, "profile")

    candidate.goto(journey.at("/en/me/applications/new/"))
    candidate.get_by_role("link", name=re.compile("^Apply.*Digital Transformation")).click()
    candidate.wait_for_load_state()
    submit(candidate)
    candidate.check("input[name=financing_mode][value=opco]")
    candidate.fill("textarea[name=professional_project]", PROFESSIONAL_PROJECT)
    with candidate.expect_navigation():
        candidate.click("button[name=action][value=save]")
    application = Application.objects.get(candidate__email=CANDIDATE)
    assert application.financing_mode == "opco"
    journey.shot(candidate, "application-draft")

    candidate.click("text=Upload my documents")
    sent = upload_every_document(candidate, tmp_path)
    assert {"cv", "photo", "diplome"} <= set(sent), sent
    journey.shot(candidate, "documents")

    candidate.goto(journey.at(f"/en/me/applications/{application.reference}/"))
    candidate.click("text=Pay the application fee")
    candidate.wait_for_load_state()
    journey.shot(candidate, "payments")
    pay_by_card(candidate, journey, "Application fee")
    candidate.goto(journey.at(f"/en/me/applications/{application.reference}/"))
    with candidate.expect_navigation():
        candidate.click("button[name=action][value=submit]")
    journey.shot(candidate, "submitted")
    application.refresh_from_db()
    assert application.status == "submitted"
    assert "received" in journey.last_email_to(CANDIDATE)["Subject"]

    reference = application.reference
    campaign = schools["imt-bs"]
    officer = staff("officer@imt-bs.example", Role.ADMISSIONS_OFFICER, campaign)
    lead = staff("lead@imt-bs.example", Role.PEDAGOGICAL_LEAD, campaign)
    interviewer = staff("interviewer@imt-bs.example", Role.INTERVIEWER, campaign)
    president = staff("president@imt-bs.example", Role.JURY_PRESIDENT, campaign)
    jurors = [
        staff(f"juror{n}@imt-bs.example", Role.JURY_MEMBER, campaign, first_name=f"Juré {n}")
        for n in (1, 2)
    ]
    finance = staff("finance@imt-bs.example", Role.FINANCE_OFFICER, campaign)

    # The admissions officer accepts every document, and the file is complete.
    office = journey.person()
    journey.log_in(office, officer.email)
    accept_every_document(journey, office, reference)
    application.refresh_from_db()
    assert application.status == "complete", show(office)

    # The pedagogical lead finds it admissible on the rulebook's criteria.
    pedagogy = journey.person()
    journey.log_in(pedagogy, lead.email)
    find_admissible(journey, pedagogy, reference)
    application.refresh_from_db()
    assert application.status == "admissible", show(pedagogy)

    # The officer publishes a slot and invites the candidate, who books it.
    office.goto(journey.at(f"/en/office/interviews/{application.programme_id}/"))
    office.fill("input[name=starts_at]", "2024-02-20T10:00")
    office.select_option("select[name=interviewer]", str(interviewer.pk))
    submit(office)
    journey.shot(office, "interview-slots")
    office.goto(journey.at(f"/en/office/files/{reference}/#interview"))
    submit(office, "#interview form")
    candidate.goto(journey.at(f"/en/me/applications/{reference}/interview/"))
    journey.shot(candidate, "interview-booking")
    submit(candidate, "main form:has(button:text('Book'))")
    assert "20 February 2024, 10:00" in candidate.inner_text("main")
    journey.shot(candidate, "interview-booked")

    # The day of the interview, the interviewer fills the grid.
    clock.move_to(dt.datetime(2024, 2, 20, 10, 45, tzinfo=PARIS))
    interviewing = journey.person()
    journey.log_in(interviewing, interviewer.email)
    interviewing.goto(journey.at(f"/en/office/files/{reference}/#interview"))
    form = interviewing.locator("#interview form.grid-form")
    for score in form.locator("input[name^=score_]").all():
        score.fill("16")
    form.locator("input[name=recommendation]").first.check()
    journey.shot(interviewing, "interview-grid")
    submit(interviewing, "#interview form.grid-form")
    application.refresh_from_db()
    assert application.status == "interviewed", show(interviewing)

    # The officer sets the jury's session and seats it; the file goes on its agenda. Days
    # have passed: a staff session ends after half an hour without a request.
    journey.log_in(office, officer.email)
    office.goto(journey.at("/en/office/jury/"))
    office.select_option("select[name=campaign]", str(campaign.pk))
    office.fill("input[name=date]", "2024-02-28")
    office.fill("input[name=files_cutoff]", "2024-02-27")
    submit(office, "form.grid-form")
    session_url = seat_the_jury(
        office, [(jurors[0], "member"), (jurors[1], "member"), (president, "president")], reference
    )
    journey.shot(office, "jury-session")

    # A member enters the decision, the president validates and publishes it.
    juror = journey.person()
    journey.log_in(juror, jurors[0].email)
    juror.goto(session_url)

    enter_decision(juror, reference, "admitted")
    chair = journey.person()
    journey.log_in(chair, president.email)
    chair.goto(session_url)
    validate_and_publish(chair)
    journey.shot(chair, "jury-published")
    application.refresh_from_db()
    assert application.status == "admitted", show(chair)
    assert "admi" in journey.last_email_to(CANDIDATE)["Subject"].lower()

    # The candidate pays the 450 EUR deposit by card and confirms the place, logging in
    # again: more than a week has passed since the booking.
    journey.log_in(candidate, CANDIDATE)
    candidate.goto(journey.at(f"/en/me/applications/{reference}/status/"))
    journey.shot(candidate, "admitted")
    candidate.click("text=Go to my payments")
    candidate.wait_for_load_state()
    assert "450" in candidate.locator("tr", has_text="Deposit").inner_text()
    pay_by_card(candidate, journey, "Deposit")
    candidate.goto(journey.at(f"/en/me/applications/{reference}/status/"))
    submit(candidate, "form:has(button:text('Confirm my place'))")
    journey.shot(candidate, "confirmed")
    application.refresh_from_db()
    assert application.status == "confirmed", show(candidate)

    # The OPCO's agreement arrives: the office files it and validates it.
    office.goto(journey.at(f"/en/documents/{reference}/"))
    agreement = tmp_path / "accord-opco.pdf"
    agreement.write_bytes(corpus.pdf(text="Accord de prise en charge OPCO"))
    upload(office, "accord-financement", agreement)
    with office.expect_navigation():
        office.click("#doc-accord-financement button[name=decision][value=accept]")
    journey.shot(office, "funding-agreement")

    # Finance asks for the deposit refund the rulebook allows, then approves it.
    money = journey.person()
    journey.log_in(money, finance.email)
    money.goto(journey.at(f"/en/office/finance/files/{reference}/"))
    refund = money.locator("form[action$='/refund/']")
    assert "Validated by the admissions office" in refund.inner_text()
    refund.locator("select[name=line]").select_option(label="Deposit — 450.00 EUR")
    refund.locator("select[name=event]").select_option("funding_agreement_validated")
    journey.shot(money, "finance-file")
    submit(money, "form[action$='/refund/']")
    assert "Awaiting approval" in money.inner_text("main"), show(money)
    money.goto(journey.at("/en/office/finance/refunds/"))
    submit(money, "form[action$='/approve/']")
    assert "Approved, to pay back" in money.inner_text("main"), show(money)
    submit(money, "form[action$='/record/']")
    journey.shot(money, "deposit-refunded")
    money.goto(journey.at(f"/en/office/finance/files/{reference}/"))
    deposit = money.locator("tr", has_text="Deposit").first.inner_text().split("\t")
    assert deposit[-2:] == ["€450", "€0"], deposit  # refunded, nothing owed
