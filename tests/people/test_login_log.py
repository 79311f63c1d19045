"""Each log-in is logged with its address, browser and method; a new browser is told by email."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from admissions.catalog.models import Campaign
from admissions.notify.models import Notification
from admissions.people.login_log import DEVICE_COOKIE, forget_old_logins
from admissions.people.logins import LoginEvent
from admissions.people.models import Role, User
from tests.factories import load_preset
from tests.people.accounts_helpers import PASSWORD, log_in, person

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def alerts(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, key__contains="new_device"))


def test_a_log_in_is_logged_with_address_browser_and_method(client: Client) -> None:
    amina = person("amina@example.org")
    log_in(client, amina.email, agent=FIREFOX)
    event = LoginEvent.objects.get(user=amina)
    assert event.succeeded
    assert event.method == "password"
    assert event.ip == "127.0.0.1"
    assert event.user_agent == FIREFOX
    assert event.device == client.cookies[DEVICE_COOKIE].value.split(":")[0]


def test_the_address_is_the_one_the_trusted_proxy_reports(
    client: Client, settings: Settings
) -> None:
    import ipaddress

    settings.TRUSTED_PROXIES = (ipaddress.ip_network("127.0.0.1/32"),)
    amina = person("amina@example.org")
    client.post(
        "/en/accounts/login/",
        {"login": amina.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert LoginEvent.objects.get(user=amina).ip == "203.0.113.9"


def test_a_wrong_password_is_logged_as_refused(client: Client) -> None:
    amina = person("amina@example.org")
    client.post("/en/accounts/login/", {"login": amina.email, "password": "not it at all"})
    event = LoginEvent.objects.get(user=amina)
    assert not event.succeeded
    # An unknown address logs nothing: there is no account to show it to.
    client.post("/en/accounts/login/", {"login": "nobody@example.org", "password": "x"})
    assert LoginEvent.objects.count() == 1


def test_a_person_reads_their_own_log_ins(client: Client) -> None:
    amina = person("amina@example.org")
    other = person("other@example.org")
    Client().post("/en/accounts/login/", {"login": amina.email, "password": "wrong one"})
    log_in(Client(), other.email, agent=SAFARI)
    log_in(client, amina.email, agent=FIREFOX)
    page = client.get("/en/me/logins/").content.decode()
    assert "Firefox on Windows" in page
    assert "Refused (wrong password)" in page
    assert "iOS" not in page  # not someone else's
    french = client.get("/me/logins/").content.decode()
    assert "Mes connexions récentes" in french
    assert "Firefox sous Windows" in french


def test_no_alert_on_the_first_log_in_nor_from_a_known_browser(client: Client) -> None:
    amina = person("amina@example.org")
    log_in(client, amina.email)
    client.post("/en/accounts/logout/")
    log_in(client, amina.email)
    assert alerts(amina) == []
    assert LoginEvent.objects.filter(user=amina, succeeded=True).count() == 2


def test_a_log_in_from_a_new_browser_is_told_by_email(client: Client) -> None:
    amina = person("amina@example.org")
    amina.preferred_language = "en"
    amina.save()
    log_in(client, amina.email, agent=FIREFOX)
    log_in(Client(), amina.email, agent=SAFARI)
    [alert] = alerts(amina)
    assert alert.to_address == amina.email
    assert alert.subject == "New log-in to your account from a new device"
    assert "127.0.0.1" in alert.text
    assert "Safari on iOS" in alert.text
    assert "/en/accounts/password/change/" in alert.text
    assert "/en/me/logins/" in alert.html or "/me/logins/" in alert.html
    assert "Safari on iOS" in alert.html


def test_the_alert_speaks_the_persons_language(client: Client) -> None:
    amina = person("amina@example.org")
    log_in(client, amina.email, agent=FIREFOX)
    log_in(Client(), amina.email, agent=SAFARI)
    [alert] = alerts(amina)
    assert alert.subject == "Nouvelle connexion à votre compte depuis un nouvel appareil"
    assert "Safari sous iOS" in alert.text


def test_a_signed_cookie_cannot_be_forged(client: Client) -> None:
    amina = person("amina@example.org")
    log_in(client, amina.email)
    known = LoginEvent.objects.get(user=amina).device
    thief = Client()
    thief.cookies[DEVICE_COOKIE] = known  # the id without its signature
    log_in(thief, amina.email)
    assert len(alerts(amina)) == 1


def test_old_log_ins_are_forgotten(settings: Settings) -> None:
    settings.LOGIN_LOG_DAYS = 30
    amina = person("amina@example.org")
    now = timezone.now()
    for days in (1, 29, 31, 400):
        LoginEvent.objects.create(user=amina, at=now - dt.timedelta(days=days), succeeded=True)
    assert forget_old_logins(now) == 2
    assert LoginEvent.objects.count() == 2


@pytest.fixture
def schools() -> dict[str, Campaign]:
    return {preset: load_preset(preset) for preset in ("imt-nord-europe", "imt-bs")}


def test_an_administrator_reads_their_staffs_log_ins_only(
    client: Client, schools: dict[str, Campaign]
) -> None:
    nord = schools["imt-nord-europe"].institution
    bs = schools["imt-bs"].institution
    officer = person("officer@nord.example", Role.ADMISSIONS_OFFICER, nord)
    outsider = person("officer@bs.example", Role.ADMISSIONS_OFFICER, bs)
    log_in(Client(), officer.email, agent=FIREFOX)
    log_in(Client(), outsider.email, agent=SAFARI)
    admin = person("admin@nord.example", Role.INSTITUTION_ADMIN, nord)
    client.force_login(admin)
    assert client.get("/en/office/logins/")["Location"] == f"/en/office/logins/{nord.slug}/"
    page = client.get(f"/en/office/logins/{nord.slug}/").content.decode()
    assert "officer@nord.example" in page
    assert "officer@bs.example" not in page
    assert client.get(f"/en/office/logins/{bs.slug}/").status_code == 404
    client.force_login(officer)  # not an administrator
    assert client.get(f"/en/office/logins/{nord.slug}/").status_code == 404
    assert client.get("/en/office/logins/").status_code == 404
