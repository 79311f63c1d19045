"""IMT-BS work-study, the whole way: from the eligibility check to the deposit refunded
once the OPCO agreement is validated, each person in their own browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from admissions.applications.models import Application

from admissions.catalog.models import Campaign
from tests.e2e.conftest import Journey
from tests.e2e.people import (
    add_education,
    add_work,
    fill_identity,
    fill_residence,
    pay_by_card,
    show,
    sign_up,
    submit,
    upload_every_document,
)
from tests.factories import PROFESSIONAL_PROJECT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CANDIDATE = "lou.bernard@candidate.example"


def test_work_study_at_imt_bs(
    journey: Journey, schools: dict[str, Campaign], tmp_path: Path
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
    candidate.locator("article, li, section", has_text="Digital Transformation Management").get_by_role(
        "link", name="Apply"
    ).first.click()
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
    print(show(candidate))
    candidate.goto(journey.at(f"/en/me/applications/{application.reference}/"))
    with candidate.expect_navigation():
        candidate.click("button[name=action][value=submit]")
    print(show(candidate))
