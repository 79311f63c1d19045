"""A staff member without a second factor is sent to set one up, adds a security key in
Chromium (its virtual authenticator, through the DevTools protocol), reaches the back office,
and logs in again with the key; the pages run allauth's scripts under the strict CSP."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from pytest_django.fixtures import Settings

from admissions.catalog.models import Campaign
from admissions.people.logins import LoginEvent
from admissions.people.models import Role
from tests.e2e.conftest import PASSWORD, Journey, staff
from tests.e2e.people import show

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def with_virtual_key(page: Any) -> tuple[Any, str]:
    """Chromium's software authenticator, answering as a platform passkey would."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    added = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session, str(added["authenticatorId"])


def test_staff_set_a_passkey_up_and_log_in_with_it(
    journey: Journey, schools: dict[str, Campaign], settings: Settings
) -> None:
    settings.STAFF_SECOND_FACTOR_REQUIRED = True
    officer = staff(
        "officer@imt-nord-europe.example", Role.ADMISSIONS_OFFICER, schools["imt-nord-europe"]
    )
    page = journey.person()
    session, authenticator = with_virtual_key(page)
    journey.log_in(page, officer.email)
    page.goto(journey.at("/en/office/queue/"))
    assert "/en/office/second-factor/" in page.url, show(page)
    assert "Two-factor authentication is required" in page.inner_text("main")
    journey.shot(page, "second-factor-required")

    page.click("text=A security key or a passkey")
    page.wait_for_load_state()
    if "/accounts/reauthenticate/" in page.url:  # allauth asks for the password again first
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    assert "/accounts/2fa/webauthn/add/" in page.url, show(page)
    journey.shot(page, "add-key")
    # The shot opens the French page too, which starts a new registration in the session:
    # the key answers the challenge of the page as it is loaded now.
    page.reload()
    page.fill("input[name=name]", "Laptop key")
    with page.expect_navigation():
        page.click("#mfa_webauthn_add")
    keys = Authenticator.objects.filter(user=officer, type=Authenticator.Type.WEBAUTHN)
    assert keys.count() == 1, show(page)
    key = keys.get()
    assert key.wrap().name == "Laptop key"
    credentials = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    page.goto(journey.at("/en/office/"))
    assert page.url.endswith("/en/office/"), show(page)

    # A new log-in asks for the key, which Chromium's authenticator signs.
    page.context.clear_cookies()
    journey.log_in(page, officer.email)
    assert "/accounts/2fa/authenticate/" in page.url, show(page)
    journey.shot(page, "log-in-with-key")
    page.reload()  # the challenge of the page loaded last, as above
    with page.expect_navigation():
        page.click("#mfa_webauthn_authenticate")
    page.goto(journey.at("/en/office/"))
    assert page.url.endswith("/en/office/"), show(page)
    latest = LoginEvent.objects.filter(user=officer, succeeded=True).latest("at")
    assert latest.method == "webauthn"
