"""The staff's outbox and a file's page: scope, the email as sent, links kept from staff."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from pytest_django.fixtures import Settings

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.notify.accounts import account_email
from admissions.notify.file_emails import send_file_complete, send_file_opened
from admissions.people.models import Role, User
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def nord() -> Campaign:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        return load_preset("imt-nord-europe")


@pytest.fixture
def application(nord: Campaign) -> Application:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        return draft(eligible_candidate(), nord, programme_of(nord, "ms-cybersecurite"))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_see_the_emails_of_their_programmes_only(
    application: Application, nord: Campaign
) -> None:
    email = send_file_complete(application, event="t")
    officer = staff_member(
        Role.ADMISSIONS_OFFICER, programme=programme_of(nord, "ms-cybersecurite")
    )
    other = staff_member(
        Role.ADMISSIONS_OFFICER, programme=programme_of(nord, "ms-transition-energetique")
    )
    assert email.subject in signed_in(officer).get("/en/office/outbox/").content.decode()
    assert email.subject not in signed_in(other).get("/en/office/outbox/").content.decode()
    assert signed_in(other).get(f"/en/office/outbox/{email.pk}/").status_code == 404
    assert signed_in(application.candidate).get("/en/office/outbox/").status_code == 404


def test_an_email_reads_as_sent_in_a_locked_down_frame(
    application: Application, nord: Campaign
) -> None:
    email = send_file_complete(application, event="t")
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    client = signed_in(officer)
    detail = client.get(f"/en/office/outbox/{email.pk}/").content.decode()
    assert f"/en/office/outbox/{email.pk}/html/" in detail
    assert "Send it again" in detail
    html = client.get(f"/en/office/outbox/{email.pk}/html/")
    assert html.content.decode() == email.html
    policy = html["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "script-src" not in policy
    assert html["X-Frame-Options"] == "SAMEORIGIN"


def test_a_password_link_is_shown_only_where_mail_goes_nowhere(
    application: Application, nord: Campaign, settings: Settings
) -> None:
    email = send_file_opened(application, event="t", password_key=("1a", "secret-token"))
    assert email.sensitive
    platform = User.objects.create_superuser("platform@example.org", "x" * 12)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    settings.EMAIL_OUTBOX_SHOWS_LINKS = False
    for user in (platform, officer):
        client = signed_in(user)
        assert "secret-token" not in client.get(f"/en/office/outbox/{email.pk}/").content.decode()
        assert client.get(f"/en/office/outbox/{email.pk}/html/").status_code == 404
    settings.EMAIL_OUTBOX_SHOWS_LINKS = True
    page = signed_in(platform).get(f"/en/office/outbox/{email.pk}/").content.decode()
    assert "secret-token" in page
    assert (
        "secret-token"
        not in signed_in(officer).get(f"/en/office/outbox/{email.pk}/").content.decode()
    )


def test_account_emails_show_to_platform_administrators_only(
    application: Application, settings: Settings
) -> None:
    settings.EMAIL_OUTBOX_SHOWS_LINKS = True
    email = account_email(
        template="account/email/email_confirmation_signup",
        to="new@example.org",
        subject="[Admissions] Confirmez votre adresse",
        body="Bonjour,\n\nConfirmez : http://testserver/accounts/confirm-email/KEY/\n",
        user=None,
        language="fr",
    )
    platform = User.objects.create_superuser("platform@example.org", "x" * 12)
    listing = signed_in(platform).get("/en/office/outbox/").content.decode()
    assert "Confirmez votre adresse" in listing
    assert '<a href="http://testserver/accounts/confirm-email/KEY/">' in email.html
    assert "<h1>Confirmez votre adresse</h1>" in email.html
    assert "les réponses à cet email ne sont pas lues" in email.text
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=application.programme.institution)
    assert (
        "Confirmez votre adresse"
        not in signed_in(officer).get("/en/office/outbox/").content.decode()
    )


def test_the_file_page_lists_the_history_and_the_emails(
    application: Application, nord: Campaign
) -> None:
    email = send_file_complete(application, event="t")
    lead = staff_member(Role.PEDAGOGICAL_LEAD, institution=nord.institution)
    history = f"/en/office/files/{application.reference}/history/"
    page = signed_in(lead).get(history).content.decode()
    assert email.subject in page
    assert "notification.queued" in page
    assert "Send again" in page
    juror = staff_member(Role.JURY_MEMBER, institution=nord.institution)
    assert "Send again" not in signed_in(juror).get(history).content.decode()
    assert (
        signed_in(application.candidate)
        .get(f"/en/office/files/{application.reference}/history/")
        .status_code
        == 404
    )
