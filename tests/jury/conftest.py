from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import time_machine

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, JurySession
from admissions.jury import agenda, sessions
from admissions.jury.models import Seat
from admissions.people.models import Role, User
from tests.factories import IN_NORD_CAMPAIGN, load_preset, staff_member
from tests.review.conftest import admissible, complete, officer_of
from tests.review.conftest import submitted as submitted  # the fixture, shared


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def officer(nord: Campaign) -> User:
    return officer_of(nord)


@pytest.fixture
def march(nord: Campaign) -> JurySession:
    return JurySession.objects.get(campaign=nord, slug="jury-2024-03")


def juror(campaign: Campaign, role: Role = Role.JURY_MEMBER) -> User:
    return staff_member(role, institution=campaign.institution)


@pytest.fixture
def panel(march: JurySession, officer: User) -> dict[str, User]:
    """A president and three members, all sitting (the quorum is 3)."""
    campaign = march.campaign
    people = {
        "president": juror(campaign, Role.JURY_PRESIDENT),
        "a": juror(campaign),
        "b": juror(campaign),
        "c": juror(campaign),
    }
    sessions.add_member(march, user=people["president"], seat=Seat.PRESIDENT, by=officer)
    for key in ("a", "b", "c"):
        sessions.add_member(march, user=people[key], seat=Seat.MEMBER, by=officer)
    return people


OnAgenda = Callable[..., Application]


@pytest.fixture
def on_agenda(submitted: Callable[[Campaign], Application], march: JurySession) -> OnAgenda:
    def make(derogatory: bool = False, in_progress: bool = False) -> Application:
        application = admissible(complete(submitted(march.campaign)))
        eligibility = dict(application.eligibility)
        if derogatory:
            eligibility["route_kind"] = "derogatory"
        if in_progress:
            # As the eligibility recorded at submission says of a diploma still expected.
            eligibility["conditional_admission"] = True
        if eligibility != application.eligibility:
            Application.objects.filter(pk=application.pk).update(eligibility=eligibility)
        agenda.place_ready_files()
        application.refresh_from_db()
        assert application.status == Status.ON_AGENDA
        return application

    return make
