from __future__ import annotations

import pytest

from admissions.people.models import User
from admissions.people.profile import CandidateProfile


@pytest.fixture
def candidate(db: None) -> User:
    return User.objects.create_user("amina@example.org", "correct horse battery")


@pytest.fixture
def profile(candidate: User) -> CandidateProfile:
    return CandidateProfile.objects.create(
        user=candidate,
        given_names="Amina",
        family_name="Diallo",
        nationality="SN",
        residence_country="FR",
    )
