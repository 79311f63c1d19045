"""The staff's entry page: only staff, only their programmes, a constant number of queries."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.people.models import Role
from admissions.workflow.drafts import create_application
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    staff_member,
)

pytestmark = pytest.mark.django_db


def _files(count: int, campaign: object, programme: object) -> list[Application]:
    made = []
    for _ in range(count):
        application = create_application(
            candidate=eligible_candidate(),
            campaign=campaign,  # type: ignore[arg-type]
            programme=programme,  # type: ignore[arg-type]
            track="full_time",
            financing_mode="personnel",
        )
        # Straight to submitted: this page lists files, it does not judge them.
        Application.objects.filter(pk=application.pk).update(status=Status.SUBMITTED)
        made.append(application)
    return made


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_staff_see_only_the_files_of_their_programmes(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    other = programme_of(campaign, "ms-transition-energetique")
    mine = _files(2, campaign, cyber)
    theirs = _files(1, campaign, other)
    officer = staff_member(Role.ADMISSIONS_OFFICER, programme=cyber)
    client.force_login(officer)
    page = client.get("/en/office/").content.decode()
    for application in mine:
        assert application.reference in page
    assert theirs[0].reference not in page
    assert "Open a file from a ZIP archive" in page
    assert "Finance" not in page


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_finance_officers_see_the_files_whose_payments_they_handle(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    [application] = _files(1, campaign, cyber)
    client.force_login(staff_member(Role.FINANCE_OFFICER, institution=campaign.institution))
    page = client.get("/en/office/").content.decode()
    assert "No file has been submitted" not in page
    assert application.reference in page
    assert f'href="/en/office/finance/files/{application.reference}/"' in page
    # An admissions officer reads the file, without a link to its finance page.
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    page = client.get("/en/office/").content.decode()
    assert application.reference in page
    assert "/office/finance/files/" not in page


def test_a_visitor_is_sent_to_log_in_as_on_every_staff_page(client: Client) -> None:
    for page in ("/en/office/", "/en/office/finance/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == f"/en/accounts/login/?next={page}"


def test_a_candidate_is_refused_as_on_every_staff_page(client: Client) -> None:
    client.force_login(eligible_candidate())
    assert client.get("/en/office/finance/").status_code == 403
    assert client.get("/en/office/").status_code == 403


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_page_costs_the_same_queries_for_3_or_30_files(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    client.force_login(officer)
    _files(3, campaign, cyber)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/en/office/").status_code == 200
    _files(27, campaign, cyber)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/en/office/").status_code == 200
    assert len(many) == len(few)


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_menu_links_staff_to_the_back_office(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    client.force_login(staff_member(Role.FINANCE_OFFICER, institution=campaign.institution))
    assert 'href="/en/office/"' in client.get("/en/").content.decode()
    assert "Finance" in client.get("/en/office/").content.decode()
    client.force_login(eligible_candidate())
    assert 'href="/en/office/"' not in client.get("/en/").content.decode()
