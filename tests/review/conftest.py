from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import time_machine

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents.models import Document
from admissions.people.models import Role, User
from admissions.review import admissibility, completeness
from admissions.review.models import Outcome
from admissions.review.scores import Score
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def bs(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-bs")


SubmittedFile = Callable[[Campaign], Application]


@pytest.fixture
def submitted() -> SubmittedFile:
    def make(campaign: Campaign) -> Application:
        candidate = eligible_candidate()
        # IMT-BS teaches in work-study only, funded by a skills operator.
        choices = (
            {"track": "work_study", "financing_mode": "opco"}
            if campaign.institution.slug == "imt-bs"
            else {}
        )
        application = ready_application(candidate, campaign, programme_of(campaign), **choices)
        return submit(application, by=candidate)

    return make


def officer_of(campaign: Campaign) -> User:
    return staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)


def lead_of(campaign: Campaign) -> User:
    return staff_member(Role.PEDAGOGICAL_LEAD, institution=campaign.institution)


def documents_of(application: Application) -> list[Document]:
    return list(
        Document.objects.filter(application=application, translation_of__isnull=True).order_by(
            "requirement_code"
        )
    )


def complete(application: Application) -> Application:
    officer = officer_of(application.campaign)
    for document in documents_of(application):
        completeness.accept(document, by=officer)
    application.refresh_from_db()
    assert application.status == Status.COMPLETE
    return application


def full_grid(criteria: list[str], score: int = 14) -> dict[str, Score]:
    return {code: Score(score, f"note {code}") for code in criteria}


def admissible(application: Application) -> Application:
    lead = lead_of(application.campaign)
    codes = [c.code for c in application.campaign.rules.review.criteria]
    admissibility.record_admissibility(
        application, by=lead, scores=full_grid(codes), outcome=Outcome.POSITIVE
    )
    application.refresh_from_db()
    return application
