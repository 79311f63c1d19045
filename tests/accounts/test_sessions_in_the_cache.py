"""A site with a shared cache keeps its sessions in the database all the same: the cache holds
no session, each request reads its session with its user in one statement, and a logout ends
the session for every process, the copied cookie included."""

from __future__ import annotations

from typing import Any

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
def shared_cache(settings: Any, redis_server: str) -> None:
    settings.CACHES = {
        **django_settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
        },
    }
    caches["default"].clear()


def _cookie_of(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_a_signed_in_page_reads_its_session_from_the_database(
    client: Client, shared_cache: None
) -> None:
    verified_user()
    log_in(client, "amina@example.org", PASSWORD)
    client.get("/en/me/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/en/me/").status_code == 200
    reads = [q["sql"] for q in captured.captured_queries if "people_session" in q["sql"]]
    assert len(reads) == 1
    cached = caches["default"]._cache.get_client().keys("*")  # type: ignore[attr-defined]
    assert not [key for key in cached if _cookie_of(client).encode() in key]


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
