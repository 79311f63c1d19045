"""The flag that spares a candidate's pages their roles' query follows the StaffRole rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import has_platform_role, is_staff_member, staff_roles
from tests.factories import eligible_candidate, load_preset

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_the_flag_follows_roles_given_and_taken_away() -> None:
    institution = load_preset("imt-nord-europe").institution
    user = eligible_candidate()
    assert not _fresh(user).holds_staff_role
    first = StaffRole.objects.create(
        user=user, role=Role.ADMISSIONS_OFFICER, institution=institution
    )
    assert user.holds_staff_role
    assert _fresh(user).holds_staff_role
    assert staff_roles(_fresh(user)) == {Role.ADMISSIONS_OFFICER}
    second = StaffRole.objects.create(user=user, role=Role.PLATFORM_ADMIN)
    first.delete()
    # One role left: still staff.
    assert _fresh(user).holds_staff_role
    assert has_platform_role(_fresh(user))
    StaffRole.objects.filter(pk=second.pk).delete()
    assert not _fresh(user).holds_staff_role
    assert not is_staff_member(_fresh(user))


def test_a_candidate_costs_no_query_for_roles() -> None:
    user = _fresh(eligible_candidate())
    with CaptureQueriesContext(connection) as captured:
        assert staff_roles(user) == frozenset()
        assert not is_staff_member(user)
    assert len(captured) == 0
