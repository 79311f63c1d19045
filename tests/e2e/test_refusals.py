"""The refusals a person meets in the browser, each said in words they can act on: a
profile no entry route accepts, a Word file where a PDF is asked, a submission after the
deadline, and the second factor staff give after their password."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.people.models import Role
from admissions.rules.deadlines import PARIS
from tests.documents import corpus
from tests.e2e.conftest import JOURNEY, Journey, staff, verify
from tests.e2e.people import show, submit
from tests.factories import draft, eligible_candidate, programme_of, ready_application

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), JOURNEY]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_a_profile_no_route_accepts_is_told_why(
    journey: Journey, schools: dict[str, Campaign]
) -> None:
    visitor = journey.person()
    visitor.goto(journey.at("/en/eligibility/"))
    offer = visitor.locator("select[name=offer] option", has_text="Cybersecurity")
    visitor.select_option("select[name=offer]", offer.get_attribute("value"))
    visitor.check("input[name=track][value=full_time]")
    visitor.select_option("select[name=nationality]", "FR")
    visitor.select_option("select[name=residence_country]", "FR")
    visitor.select_option("select[name=diploma_level]", "2")
    visitor.select_option("select[name=diploma_kind]", "other")
    visitor.select_option("select[name=diploma_country]", "FR")
    visitor.check("input[name=diploma_status][value=obtained]")
    visitor.fill("input[name=diploma_year]", "2021")
    visitor.fill("input[name=experience_years]", "1")
    submit(visitor)
    journey.shot(visitor, "not-eligible")
    result = visitor.inner_text("main")
    assert "Not eligible" in result, show(visitor)
    # The accessibility statement is one link away, from every page's footer.
    with visitor.expect_navigation():
        visitor.click("footer >> text=Accessibility: not compliant")
    journey.shot(visitor, "accessibility-statement")
    assert visitor.locator("h2", has_text="Ways of appeal").count() == 1


def test_a_word_file_is_refused_where_a_pdf_is_asked(
    journey: Journey, schools: dict[str, Campaign], tmp_path: Path
) -> None:
    candidate = eligible_candidate()
    verify(candidate)
    application = draft(candidate, schools["imt-nord-europe"])
    page = journey.person()
    journey.log_in(page, candidate.email)
    page.goto(journey.at(f"/en/documents/{application.reference}/"))
    word = tmp_path / "cv.docx"
    word.write_bytes(corpus.docx())
    page.set_input_files("#doc-cv input[type=file]", str(word))
    page.click("#doc-cv button[type=submit]")
    refusal = page.locator("#doc-cv .message.error:visible, .messages .error").first
    refusal.wait_for()
    journey.shot(page, "word-file-refused")
    assert "Word" in refusal.inner_text(), show(page)
    assert not application.documents.filter(requirement_code="cv", state="accepted_on_arrival")


def test_a_submission_after_the_deadline_is_refused(
    journey: Journey, schools: dict[str, Campaign], clock: time_machine.Coordinates
) -> None:
    nord = schools["imt-nord-europe"]
    candidate = eligible_candidate()
    verify(candidate)
    application = ready_application(candidate, nord, programme_of(nord))
    # IMT Nord Europe closes on 7 June 2024 at midnight, Paris time.
    clock.move_to(dt.datetime(2024, 6, 8, 0, 0, 1, tzinfo=PARIS))
    page = journey.person()
    journey.log_in(page, candidate.email)
    page.goto(journey.at(f"/en/me/applications/{application.reference}/"))
    submit_button = page.locator("button[name=action][value=submit]")
    if submit_button.count():
        with page.expect_navigation():
            submit_button.click()
    journey.shot(page, "deadline-passed")
    assert "7 June 2024" in page.inner_text("main"), show(page)
    application.refresh_from_db()
    assert application.status == "draft"
    assert application.submitted_at is None


def test_staff_give_their_second_factor_after_the_password(
    journey: Journey, schools: dict[str, Campaign]
) -> None:
    officer = staff(
        "officer@imt-nord-europe.example", Role.ADMISSIONS_OFFICER, schools["imt-nord-europe"]
    )
    TOTP.activate(officer, SECRET)
    page = journey.person()
    journey.log_in(page, officer.email)
    code = page.locator("input[name=code]")
    code.wait_for()
    journey.shot(page, "second-factor")
    code.fill("000000" if now_code() != "000000" else "111111")
    with page.expect_navigation():
        code.press("Enter")
    assert page.locator("input[name=code]").count(), show(page)
    assert "/office/" not in page.url
    journey.shot(page, "second-factor-refused")
    page.fill("input[name=code]", now_code())
    with page.expect_navigation():
        page.press("input[name=code]", "Enter")
    page.goto(journey.at("/en/office/"))
    assert page.url.endswith("/en/office/"), show(page)
    assert Application.objects.count() == 0


def now_code() -> str:
    """The code an authenticator app shows now, from the secret it was given."""
    counter = int(dt.datetime.now(tz=dt.UTC).timestamp()) // 30
    return format_hotp_value(hotp_value(SECRET, counter))
