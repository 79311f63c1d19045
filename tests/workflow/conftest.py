from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from admissions.catalog.models import Campaign
from admissions.people.models import User
from tests.factories import IN_NORD_CAMPAIGN, eligible_candidate, load_preset


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Time stands still on a day inside both shipped campaigns; tests move it on."""
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
    return eligible_candidate(given_names="Camille")


@pytest.fixture
def other_candidate(db: None) -> User:
    return eligible_candidate(given_names="Dominique")
