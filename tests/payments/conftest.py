"""Personas and files for the payment tests, on the two test rulebooks of fixtures/.

The files are created directly, at the status each test needs: payments only reads an
application's status, programme, track and financing mode.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Institution, Programme
from admissions.catalog.services import load_rulebook
from admissions.people.models import Role, StaffRole, User
from tests.payments.samples import loaded

_numbers = itertools.count(1)

MakeApplication = Callable[..., Application]


def _campaign(name: str) -> Campaign:
    rulebook = loaded(name)
    load_rulebook(rulebook)
    return Campaign.objects.get(
        institution__slug=rulebook.rulebook.institution.slug, slug=rulebook.rulebook.campaign.slug
    )


@pytest.fixture
def nord_campaign(db: None) -> Campaign:
    """Bank-transfer fee of 60 EUR, tuition 7,500/12,500, CVEC, 3 instalments."""
    return _campaign("nord")


@pytest.fixture
def bs_campaign(db: None) -> Campaign:
    """Card fee of 80 EUR, deposit of 450 EUR for work-study."""
    return _campaign("bs")


def make_user(email: str | None = None, **extra: object) -> User:
    number = next(_numbers)
    names: dict[str, object] = {"first_name": "Camille", "last_name": f"Martin{number}"}
    return User.objects.create_user(
        email or f"person{number}@example.org", "correct horse battery", **(names | extra)
    )


@pytest.fixture
def candidate(db: None) -> User:
    return make_user()


@pytest.fixture
def other_candidate(db: None) -> User:
    return make_user()


def staff(role: Role, institution: Institution, programme: Programme | None = None) -> User:
    user = make_user()
    StaffRole.objects.create(user=user, role=role, institution=institution, programme=programme)
    return user


@pytest.fixture
def nord_finance(nord_campaign: Campaign) -> User:
    return staff(Role.FINANCE_OFFICER, nord_campaign.institution)


@pytest.fixture
def bs_finance(bs_campaign: Campaign) -> User:
    return staff(Role.FINANCE_OFFICER, bs_campaign.institution)


@pytest.fixture
def make_application(candidate: User) -> MakeApplication:
    def make(
        campaign: Campaign,
        *,
        programme: str | None = None,
        track: str = "full_time",
        financing_mode: str = "personal",
        status: str = "draft",
        owner: User | None = None,
    ) -> Application:
        programmes = Programme.objects.filter(institution=campaign.institution)
        chosen = programmes.get(slug=programme) if programme else programmes.order_by("pk")[0]
        return Application.objects.create(
            reference=f"T-{next(_numbers):06d}",
            candidate=owner or candidate,
            campaign=campaign,
            programme=chosen,
            track=track,
            financing_mode=financing_mode,
            status=status,
        )

    return make
