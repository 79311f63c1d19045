"""Staff sessions end after a short idle time and a maximum; candidates' after a longer idle."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from pytest_django.fixtures import Settings

from admissions.people import session_expiry
from admissions.people.models import Role, Session
from admissions.people.sessions import SessionStore
from tests.people.accounts_helpers import log_in, person

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _durations(settings: Settings) -> None:
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    settings.STAFF_SESSION_MAX_HOURS = 10
    settings.CANDIDATE_SESSION_IDLE_MINUTES = 7 * 24 * 60


def test_a_staff_session_ends_after_its_idle_time(client: Client) -> None:
    person("admin@nord.example", Role.PLATFORM_ADMIN)
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "admin@nord.example")
        assert client.get("/en/office/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/en/office/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 29 minutes after the last request
        assert client.get("/en/office/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/en/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    page = client.get(response["Location"]).content.decode()
    assert "Your session has expired: log in again." in page


def test_a_busy_staff_session_still_ends_at_its_maximum(client: Client) -> None:
    person("admin@nord.example", Role.PLATFORM_ADMIN)
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "admin@nord.example")
        for _step in range(30):  # a request every 25 minutes: never idle for long
            clock.shift(dt.timedelta(minutes=25))
            if client.get("/en/office/").status_code != 200:
                break
        elapsed = dt.datetime.now(tz=dt.UTC) - START
    assert dt.timedelta(hours=10) < elapsed <= dt.timedelta(hours=10, minutes=25)


def test_a_candidate_keeps_a_longer_idle_time(client: Client, settings: Settings) -> None:
    person("amina@example.org")
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "amina@example.org")
        clock.shift(dt.timedelta(days=6))
        assert client.get("/en/me/").status_code == 200
        clock.shift(dt.timedelta(days=6, hours=23))
        assert client.get("/en/me/").status_code == 200
        clock.shift(dt.timedelta(days=7, minutes=1))
        assert client.get("/en/me/").status_code == 302


def test_the_idle_times_follow_the_settings(client: Client, settings: Settings) -> None:
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    person("admin@nord.example", Role.PLATFORM_ADMIN)
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "admin@nord.example")
        clock.shift(dt.timedelta(minutes=6))
        assert client.get("/en/office/").status_code == 302


def test_the_clock_s_grain_is_a_hundredth_of_the_idle_time_and_at_least_a_minute() -> None:
    assert session_expiry.grain(30 * 60) == 60
    assert session_expiry.grain(5 * 60) == 60
    assert session_expiry.grain(7 * 24 * 3600) == 6048
    assert session_expiry.grain(100 * 60) == 60
    assert session_expiry.grain(200 * 60) == 120


def _seen(client: Client) -> int:
    seen = SessionStore(client.cookies["sessionid"].value).load()[session_expiry.SEEN]
    assert isinstance(seen, int)
    return seen


def _row(client: Client) -> tuple[str, dt.datetime]:
    row = Session.objects.get(session_key=client.cookies["sessionid"].value)
    return row.session_data, row.expire_date


def test_a_candidate_s_looks_within_the_grain_write_no_clock(client: Client) -> None:
    person("amina@example.org")
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "amina@example.org")
        signed_in = _seen(client)
        row = _row(client)
        clock.shift(dt.timedelta(minutes=100))
        assert client.get("/en/me/").status_code == 200
        assert _row(client) == row  # not written at all
        assert _seen(client) == signed_in
        clock.shift(dt.timedelta(minutes=1))  # 101 minutes: more than 6,048 s
        assert client.get("/en/me/").status_code == 200
        assert _seen(client) == signed_in + 101 * 60


def test_a_staff_clock_moves_by_the_minute(client: Client) -> None:
    person("admin@nord.example", Role.PLATFORM_ADMIN)
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "admin@nord.example")
        signed_in = _seen(client)
        clock.shift(dt.timedelta(seconds=59))
        assert client.get("/en/office/").status_code == 200
        assert _seen(client) == signed_in
        clock.shift(dt.timedelta(seconds=1))
        assert client.get("/en/office/").status_code == 200
        assert _seen(client) == signed_in + 60


def test_a_session_ends_at_most_a_grain_before_its_idle_time(client: Client) -> None:
    person("amina@example.org")
    other = Client()
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "amina@example.org")
        log_in(other, "amina@example.org")
        clock.shift(dt.timedelta(minutes=100))  # within the grain: the clock is not written
        assert client.get("/en/me/").status_code == 200
        assert other.get("/en/me/").status_code == 200
        # A week after the clock's last write (100 minutes short of a week after the last
        # request): still signed in; a second later, out.
        clock.shift(dt.timedelta(days=7, minutes=-100))
        assert client.get("/en/me/").status_code == 200
        clock.shift(dt.timedelta(seconds=1))
        assert other.get("/en/me/").status_code == 302


def test_a_session_idle_past_its_time_ends_whatever_the_grain(client: Client) -> None:
    person("amina@example.org")
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "amina@example.org")
        clock.shift(dt.timedelta(days=7, seconds=1))
        response = client.get("/en/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
