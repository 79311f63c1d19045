"""Sessions read from the shared cache: no session row read per request, and a logout ends
the session for every process, the copied cookie included."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.accounts.conftest import PASSWORD, verified_user
from tests.accounts.test_login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_cache(settings: object, redis_server: str) -> None:
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
        }
    }
    settings.SESSION_ENGINE = "admissions.people.cached_sessions"  # type: ignore[attr-defined]
    caches["default"].clear()


def _cookie_of(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_a_signed_in_page_reads_no_session_row(client: Client, shared_cache: None) -> None:
    verified_user()
    log_in(client, "amina@example.org", PASSWORD)
    client.get("/en/me/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/en/me/").status_code == 200
    assert not [q for q in captured.captured_queries if "people_session" in q["sql"]]


def test_a_logout_ends_the_session_everywhere(client: Client, shared_cache: None) -> None:
    verified_user()
    log_in(client, "amina@example.org", PASSWORD)
    copied = _cookie_of(client)
    assert client.get("/en/me/").status_code == 200
    client.post("/en/accounts/logout/")
    # Another process, with its own connection to the cache, given the copied cookie.
    caches["default"].close()
    thief = Client()
    thief.cookies[django_settings.SESSION_COOKIE_NAME] = copied
    response = thief.get("/en/me/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
