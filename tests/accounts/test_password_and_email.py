"""Password reset and change of email address, both through links really mailed."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from tests.accounts.conftest import PASSWORD, link, verified_user
from tests.services.smtp import SmtpServer

# Real commits: account emails leave through the outbox once their transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Another long passphrase 7"


def test_password_reset_round_trip(client: Client, smtp_inbox: SmtpServer) -> None:
    user = verified_user()
    response = client.post("/en/accounts/password/reset/", {"email": "amina@example.org"})
    assert response.status_code == 302
    assert [m.recipients for m in smtp_inbox.received] == [["amina@example.org"]]

    key_path = link(smtp_inbox.received[0], "password/reset/key")
    form_page = client.get(key_path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else key_path
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    # The link is good once.
    assert "does not work any more" in client.get(key_path, follow=True).content.decode()
    assert client.login(email="amina@example.org", password=NEW_PASSWORD)


def test_reset_for_an_unknown_address_reveals_nothing(
    client: Client, smtp_inbox: SmtpServer
) -> None:
    response = client.post("/en/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/password/reset/done/"


def test_change_of_email_needs_the_new_address_confirmed(
    client: Client, smtp_inbox: SmtpServer
) -> None:
    user = verified_user()
    client.force_login(user)

    response = client.post(
        "/en/accounts/email/", {"email": "amina.new@example.org", "action_add": ""}
    )
    assert response.status_code == 302

    user.refresh_from_db()
    assert user.email == "amina@example.org"  # unchanged until confirmed
    page = client.get("/en/accounts/email/").content.decode()
    assert "amina.new@example.org" in page
    assert "not confirmed" in page
    assert [m.recipients for m in smtp_inbox.received] == [["amina.new@example.org"]]

    client.post(link(smtp_inbox.received[0], "confirm-email"))

    user.refresh_from_db()
    assert user.email == "amina.new@example.org"
    addresses = EmailAddress.objects.filter(user=user)
    assert [(a.email, a.verified, a.primary) for a in addresses] == [
        ("amina.new@example.org", True, True)
    ]


def test_an_address_of_another_account_cannot_be_taken_over(
    client: Client, smtp_inbox: SmtpServer
) -> None:
    other = verified_user("taken@example.org")
    user = verified_user()
    client.force_login(user)
    # allauth answers as for any address, so that nobody learns which addresses have accounts,
    response = client.post("/en/accounts/email/", {"email": "taken@example.org", "action_add": ""})
    assert response.status_code == 302
    # but the link it sends cannot move the address to this account.
    confirm_path = link(smtp_inbox.received[0], "confirm-email")
    page = client.get(confirm_path).content.decode()
    assert "cannot be confirmed: another account already uses it" in page
    client.post(confirm_path)
    user.refresh_from_db()
    assert user.email == "amina@example.org"
    assert EmailAddress.objects.get(email="taken@example.org", verified=True).user == other


def test_an_invalid_new_address_is_explained(client: Client) -> None:
    user = verified_user()
    client.force_login(user)
    response = client.post("/en/accounts/email/", {"email": "not an address", "action_add": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-error-summary" in page
    assert 'value="not an address"' in page


def test_password_change_page_is_styled_and_works(client: Client) -> None:
    user = verified_user()
    client.force_login(user)
    page = client.get("/en/accounts/password/change/").content.decode()
    assert 'href="/static/admissions/css/site.css"' in page or "admissions/css/site" in page
    response = client.post(
        "/en/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
