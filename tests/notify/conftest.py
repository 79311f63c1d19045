"""Personas and helpers of the notification tests: real SMTP, real commits of the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.test import TestCase

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
    """A French-speaking candidate (the language saved on the account)."""
    user = eligible_candidate(given_names="Camille")
    user.first_name, user.last_name = "Camille", "Durand"
    user.save()
    return user


@pytest.fixture
def english_candidate(db: None) -> User:
    user = eligible_candidate(given_names="Jordan")
    user.first_name, user.last_name, user.preferred_language = "Jordan", "Smith", "en"
    user.save()
    return user


def committed() -> AbstractContextManager[Any]:
    """Run what commits inside: the outbox schedules delivery once a transaction commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


Committed = Callable[[], AbstractContextManager[Any]]
