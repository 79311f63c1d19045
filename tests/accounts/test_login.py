"""Logging in and out: verified addresses only, failed attempts limited, Argon2 hashes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from admissions.people.models import User
from tests.accounts.conftest import PASSWORD, link, verified_user
from tests.services.smtp import SmtpServer

# Real commits: account emails leave through the outbox once their transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def log_in(client: Client, email: str, password: str, prefix: str = "/en") -> object:
    return client.post(f"{prefix}/accounts/login/", {"login": email, "password": password})


def test_verified_user_logs_in_and_lands_on_the_dashboard(client: Client) -> None:
    verified_user()
    response = log_in(client, "amina@example.org", PASSWORD)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == "/en/me/"  # type: ignore[index]
    assert client.get("/en/me/").status_code == 200


def test_unverified_user_cannot_log_in(client: Client, smtp_inbox: SmtpServer) -> None:
    user = User.objects.create_user("amina@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    response = log_in(client, "amina@example.org", PASSWORD)

    assert response["Location"] == "/en/accounts/confirm-email/"  # type: ignore[index]
    assert client.get("/en/me/").status_code == 302
    # A fresh link goes out, and following it opens the account.
    assert [m.recipients for m in smtp_inbox.received] == [["amina@example.org"]]
    client.post(link(smtp_inbox.received[0], "confirm-email"))
    assert EmailAddress.objects.get(user=user).verified


def test_wrong_password_is_refused_in_the_users_language(client: Client) -> None:
    verified_user()
    response = log_in(client, "amina@example.org", "wrong password", prefix="")
    page = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "data-error-summary" in page
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in page


def test_sixth_failed_log_in_in_a_row_is_rate_limited(client: Client) -> None:
    verified_user()
    for _attempt in range(5):
        page = log_in(client, "amina@example.org", "wrong password").content.decode()  # type: ignore[attr-defined]
        assert "are not correct" in page
    # Even the right password is refused now: the attacker cannot tell it was right.
    response = log_in(client, "amina@example.org", PASSWORD)
    page = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code in (200, 429)  # type: ignore[attr-defined]
    assert "Too many failed login attempts. Try again later." in page
    assert client.get("/en/me/").status_code == 302


def test_log_out_needs_a_post(client: Client) -> None:
    client.force_login(verified_user())
    assert client.get("/en/accounts/logout/").status_code == 200
    assert client.get("/en/me/").status_code == 200
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/en/me/").status_code == 302


def test_production_settings_hash_passwords_with_argon2(tmp_path: object) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ADMISSIONS_")} | {
        "DJANGO_SETTINGS_MODULE": "admissions.settings",
        "ADMISSIONS_MODE": "production",
        "ADMISSIONS_SECRET_KEY": "x" * 50,
        "ADMISSIONS_ALLOWED_HOSTS": "admissions.example.org",
        "ADMISSIONS_DATABASE_URL": "postgres://admissions@127.0.0.1:1/admissions",
        "ADMISSIONS_CLAMD": "tcp://127.0.0.1:3310",
        "ADMISSIONS_EMAIL_URL": "smtp://127.0.0.1:25",
        "ADMISSIONS_SITE_URL": "https://admissions.example.org",
        "ADMISSIONS_VAR_DIR": str(tmp_path),
    }
    script = (
        "import django; django.setup();"
        "from django.contrib.auth.hashers import make_password;"
        "print(make_password('a candidate password'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("argon2$argon2id$")


def test_failed_log_ins_are_counted_in_the_shared_cache(
    client: Client, settings: object, redis_server: str
) -> None:
    """With ADMISSIONS_CACHE_URL set, every process sees the same count of failed log-ins."""
    import redis
    from django.core.cache import caches

    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
        }
    }
    caches["default"].clear()
    verified_user()
    for _attempt in range(5):
        log_in(client, "amina@example.org", "wrong password")
    # The counters are in Redis, not in this process's memory.
    assert redis.Redis.from_url(redis_server).keys("*rl:*")
    # Another process (here, another client and a fresh cache connection) is refused too.
    caches["default"].close()
    other = Client()
    page = log_in(other, "amina@example.org", PASSWORD).content.decode()  # type: ignore[attr-defined]
    assert "Too many failed login attempts. Try again later." in page
    caches["default"].clear()
