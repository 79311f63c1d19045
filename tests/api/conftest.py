from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from admissions.catalog.models import Campaign
from admissions.people.models import User
from tests.factories import IN_NORD_CAMPAIGN, eligible_candidate, load_preset


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


@pytest.fixture
def candidate(db: None) -> User:
    return eligible_candidate()


@pytest.fixture
def api(client: Client, candidate: User) -> Client:
    """The candidate's browser session (CSRF not enforced: see test_csrf for that)."""
    client.force_login(candidate)
    return client
