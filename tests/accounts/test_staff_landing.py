"""Staff who log in land on their back office, and see no link meant for candidates."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from admissions.people.models import Role, StaffRole
from tests.accounts.conftest import PASSWORD, verified_user

pytestmark = pytest.mark.django_db


def test_staff_land_on_the_back_office(client: Client) -> None:
    officer = verified_user()
    StaffRole.objects.create(user=officer, role=Role.PLATFORM_ADMIN)
    response = client.post("/en/accounts/login/", {"login": officer.email, "password": PASSWORD})
    assert response["Location"] == "/en/office/"
    page = client.get("/en/office/").content.decode()
    nav = page[page.index('class="nav"') : page.index("</nav>")]
    assert "Back office" in nav
    for candidate_only in ("My space", "My profile", "/en/me/"):
        assert candidate_only not in nav
    # The candidate's dashboard ("Profile 0% complete", "Apply") is not theirs.
    response = client.get("/en/me/")
    assert response.status_code == 302
    assert response["Location"] == "/en/office/"
    home = client.get("/en/").content.decode()
    assert "Go to the back office" in home
    assert "Go to my space" not in home


def test_a_page_asked_before_logging_in_still_wins(client: Client) -> None:
    officer = verified_user()
    StaffRole.objects.create(user=officer, role=Role.PLATFORM_ADMIN)
    response = client.post(
        "/en/accounts/login/?next=/en/office/finance/",
        {"login": officer.email, "password": PASSWORD},
    )
    assert response["Location"] == "/en/office/finance/"


def test_candidates_still_land_on_their_space(client: Client) -> None:
    user = verified_user()
    assert EmailAddress.objects.filter(user=user, verified=True).exists()
    response = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/en/me/"
    nav = client.get("/en/me/").content.decode()
    assert "My profile" in nav
    assert "Back office" not in nav
