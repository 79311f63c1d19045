"""Signing up: the address is confirmed by a link really sent by mail before any log-in."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from admissions.people.models import User
from tests.accounts.conftest import PASSWORD, body, link, subject
from tests.services.smtp import SmtpServer

# Real commits: account emails leave through the outbox once their transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def sign_up(client: Client, email: str, prefix: str = "/en") -> None:
    response = client.post(
        f"{prefix}/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()


def test_sign_up_mail_link_then_logged_in(client: Client, smtp_inbox: SmtpServer) -> None:
    sign_up(client, "Amina.Diallo@Example.org")

    assert client.get("/en/me/").status_code == 302  # not logged in before confirming
    assert len(smtp_inbox.received) == 1
    mail = smtp_inbox.received[0]
    assert mail.recipients == ["amina.diallo@example.org"]
    assert subject(mail) == "[Admissions] Please Confirm Your Email Address"
    assert "The admissions team" in body(mail)

    confirm_path = link(mail, "confirm-email")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "Confirm that amina.diallo@example.org is your email address." in page.content.decode()
    response = client.post(confirm_path)
    assert response.status_code == 302

    dashboard = client.get("/en/me/")
    assert dashboard.status_code == 200
    assert "amina.diallo@example.org" in dashboard.content.decode()
    user = User.objects.get(email="amina.diallo@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert user.preferred_language == "en"


def test_sign_up_in_french_sends_a_french_mail(client: Client, smtp_inbox: SmtpServer) -> None:
    sign_up(client, "lea@example.org", prefix="")
    mail = smtp_inbox.received[0]
    assert subject(mail) == "[Admissions] Confirmez votre adresse e-mail"
    assert "L’équipe des admissions" in body(mail)
    assert User.objects.get(email="lea@example.org").preferred_language == "fr"


def test_sign_up_errors_are_explained_and_keep_the_email(client: Client) -> None:
    response = client.post(
        "/en/accounts/signup/",
        {"email": "amina@example.org", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-error-summary" in page
    assert "You must type the same password each time." in page
    assert 'value="amina@example.org"' in page
    assert not User.objects.exists()


def test_an_expired_or_forged_link_confirms_nothing(client: Client, smtp_inbox: SmtpServer) -> None:
    sign_up(client, "amina@example.org")
    page = client.get("/en/accounts/confirm-email/forged-key/")
    assert "This confirmation link has expired or is not valid." in page.content.decode()
    assert client.post("/en/accounts/confirm-email/forged-key/").status_code in (200, 302, 404)
    assert not EmailAddress.objects.filter(verified=True).exists()
