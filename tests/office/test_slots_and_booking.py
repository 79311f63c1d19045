"""Staff publish slots on their programme's page; the invited candidate books one on theirs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.people.models import Role
from admissions.review import interviews
from admissions.review.models import InterviewSlot
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)
from tests.review.conftest import admissible, complete, officer_of


@pytest.fixture
def bs(db: None) -> Iterator[Campaign]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        yield load_preset("imt-bs")


def submitted(campaign: Campaign) -> Application:
    candidate = eligible_candidate()
    application = ready_application(
        candidate, campaign, programme_of(campaign), track="work_study", financing_mode="opco"
    )
    return submit(application, by=candidate)


@pytest.fixture
def invited(bs: Campaign) -> Application:
    application = admissible(complete(submitted(bs)))
    interviews.invite(application, by=officer_of(bs))
    return application


def test_an_officer_publishes_a_slot_in_paris_time(client: Client, bs: Campaign) -> None:
    programme = programme_of(bs)
    interviewer = staff_member(Role.INTERVIEWER, programme=programme)
    client.force_login(officer_of(bs))
    response = client.post(
        f"/en/office/interviews/{programme.pk}/",
        {
            "starts_at": "2024-02-20T10:00",
            "duration_minutes": "30",
            "interviewer": str(interviewer.pk),
            "video_link": "https://visio.example.org/room",
        },
    )
    assert response.status_code == 302
    slot = InterviewSlot.objects.get()
    assert slot.starts_at == dt.datetime(2024, 2, 20, 9, 0, tzinfo=dt.UTC)
    assert slot.interviewer == interviewer
    page = client.get(f"/en/office/interviews/{programme.pk}/").content.decode()
    assert "Coming slots" in page


def test_the_candidate_books_and_cancels(
    client: Client, bs: Campaign, invited: Application
) -> None:
    programme = programme_of(bs)
    interviewer = staff_member(Role.INTERVIEWER, programme=programme)
    slot = interviews.publish_slot(
        programme,
        by=officer_of(bs),
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=4),
        interviewer=interviewer,
    )
    client.force_login(invited.candidate)
    url = f"/en/me/applications/{invited.reference}/interview/"
    assert "Choose a slot" in client.get(url).content.decode()
    client.post(url + "book/", {"slot": str(slot.pk)})
    invited.refresh_from_db()
    assert invited.status == Status.INTERVIEW_SCHEDULED
    assert "Cancel this booking" in client.get(url).content.decode()
    client.post(url + "cancel/")
    invited.refresh_from_db()
    assert invited.status == Status.ADMISSIBLE


def test_another_candidate_cannot_open_the_page(
    client: Client, bs: Campaign, invited: Application
) -> None:
    other = submitted(bs)
    client.force_login(other.candidate)
    assert client.get(f"/en/me/applications/{invited.reference}/interview/").status_code == 404
