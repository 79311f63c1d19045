"""Nothing the site answers tells whether an email address has an account.

Signing up with an address already taken, asking a password reset for an unknown one, and
logging in with a wrong password give the same answer as their counterparts; only the owner
of the address learns more, by email.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from admissions.notify.models import Notification
from admissions.people.models import User
from tests.accounts.conftest import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

KNOWN = "amina@example.org"
UNKNOWN = "nobody@example.org"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client: Client, response: object, address: str) -> tuple[int, str, str]:
    """Status, where it leads, and the page it leads to, without its form token and with the
    address typed (which the page repeats) put aside."""
    status = response.status_code  # type: ignore[attr-defined]
    location = response.get("Location", "")  # type: ignore[attr-defined]
    page = client.get(location) if status == 302 else response
    text = TOKEN.sub("", page.content.decode())  # type: ignore[attr-defined]
    return status, location, text.replace(address, "ADDRESS")


def _post(path: str, data: dict[str, str], address: str) -> tuple[int, str, str]:
    client = Client()
    return _page(client, client.post(path, data), address)


def _sent_to(address: str) -> list[str]:
    keys = Notification.objects.filter(to_address=address).values_list("key", flat=True)
    return [key.split(":")[1] for key in keys]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_signing_up_with_a_taken_address_answers_as_with_a_new_one(prefix: str) -> None:
    owner = verified_user(KNOWN)
    form = {"password1": "Another passphrase 77", "password2": "Another passphrase 77"}
    path = f"{prefix}/accounts/signup/"

    taken = _post(path, {"email": KNOWN, **form}, KNOWN)
    fresh = _post(path, {"email": "new@example.org", **form}, "new@example.org")

    assert taken == fresh
    assert taken[0] == 302
    # The owner's account is untouched, and the owner alone is told by email.
    assert User.objects.filter(email__iexact=KNOWN).count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert _sent_to(KNOWN) == ["account_already_exists"]
    assert _sent_to("new@example.org") == ["email_confirmation_signup"]


def test_a_password_reset_answers_the_same_for_any_address() -> None:
    verified_user(KNOWN)
    path = "/en/accounts/password/reset/"

    known = _post(path, {"email": KNOWN}, KNOWN)
    unknown = _post(path, {"email": UNKNOWN}, UNKNOWN)

    assert known == unknown
    assert known[:2] == (302, "/en/accounts/password/reset/done/")
    assert _sent_to(KNOWN) == ["password_reset_key"]
    assert _sent_to(UNKNOWN) == ["unknown_account"]


def test_a_wrong_password_answers_the_same_whether_the_account_exists() -> None:
    verified_user(KNOWN)
    path = "/en/accounts/login/"

    known = _post(path, {"login": KNOWN, "password": "Wrong 123456"}, KNOWN)
    unknown = _post(path, {"login": UNKNOWN, "password": "Wrong 123456"}, UNKNOWN)

    assert known == unknown
    assert known[0] == 200
    assert "The email address and/or password you specified are not correct." in known[2]
