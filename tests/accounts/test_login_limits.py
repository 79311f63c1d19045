"""Failed log-ins count per account and per client, the client as the trusted proxy names it.

Behind the reverse proxy every request comes from the proxy's address: counting by that
address alone, five wrong passwords of one person would lock everyone out.
"""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from admissions.core.clientaddress import client_address
from tests.accounts.conftest import PASSWORD, verified_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
LIMITED = "Too many failed login attempts. Try again later."


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings: Settings) -> None:
    settings.TRUSTED_PROXIES = (ipaddress.ip_network("10.0.0.0/24"),)
    # The limits these tests are about, whatever the site's defaults.
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "5/5m/ip,5/5m/key",
    }


def log_in(email: str, password: str, *, peer: str, forwarded: str | None = None) -> str:
    """A fresh browser posting the log-in form; the page it gets back."""
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    response = Client(REMOTE_ADDR=peer).post(
        "/en/accounts/login/", {"login": email, "password": password}, headers=headers
    )
    if response.status_code == 302:
        return "logged in"
    return response.content.decode()


def test_one_persons_failures_do_not_lock_out_another_behind_the_same_proxy() -> None:
    verified_user("amina@example.org")
    verified_user("bastien@example.org")
    for _attempt in range(5):
        page = log_in("amina@example.org", "wrong", peer=PROXY, forwarded="203.0.113.10")
        assert "are not correct" in page
    assert LIMITED in log_in("amina@example.org", PASSWORD, peer=PROXY, forwarded="203.0.113.10")
    assert log_in("bastien@example.org", PASSWORD, peer=PROXY, forwarded="198.51.100.20") == (
        "logged in"
    )


def test_one_client_trying_many_accounts_is_limited_by_its_address() -> None:
    for number in range(5):
        verified_user(f"person{number}@example.org")
        page = log_in(f"person{number}@example.org", "wrong", peer=PROXY, forwarded="203.0.113.9")
        assert "are not correct" in page
    verified_user("someone@example.org")
    assert LIMITED in log_in("someone@example.org", PASSWORD, peer=PROXY, forwarded="203.0.113.9")


def test_an_account_is_limited_whatever_address_the_attempts_come_from() -> None:
    verified_user("amina@example.org")
    for number in range(5):
        log_in("amina@example.org", "wrong", peer=PROXY, forwarded=f"203.0.113.{number + 1}")
    assert LIMITED in log_in("amina@example.org", PASSWORD, peer=PROXY, forwarded="203.0.113.77")


def test_a_forged_header_from_outside_the_proxies_is_ignored() -> None:
    # Straight to the application, each attempt claiming another address: all count as one.
    for number in range(5):
        verified_user(f"person{number}@example.org")
        log_in(
            f"person{number}@example.org",
            "wrong",
            peer="192.0.2.66",
            forwarded=f"198.51.100.{number + 1}",
        )
    verified_user("someone@example.org")
    assert LIMITED in log_in(
        "someone@example.org", PASSWORD, peer="192.0.2.66", forwarded="198.51.100.99"
    )


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        (PROXY, "203.0.113.10", "203.0.113.10"),
        # The client wrote its own header; the proxy appended what it saw.
        (PROXY, "1.2.3.4, 203.0.113.10", "203.0.113.10"),
        # Two of our proxies in a row.
        (PROXY, "203.0.113.10, 10.0.0.7", "203.0.113.10"),
        # Every hop is ours: the first one is the client.
        (PROXY, "10.0.0.5, 10.0.0.7", "10.0.0.5"),
        (PROXY, "2001:db8::1", "2001:db8::1"),
        (PROXY, "not an address", PROXY),
        (PROXY, "", PROXY),
        ("192.0.2.66", "203.0.113.10", "192.0.2.66"),
        ("::ffff:10.0.0.2", "203.0.113.10", "203.0.113.10"),
    ],
)
def test_the_client_address(peer: str, forwarded: str, client: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == client


def test_without_trusted_proxies_the_peer_is_the_client(settings: Settings) -> None:
    settings.TRUSTED_PROXIES = ()
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert client_address(request) == PROXY
