from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

from admissions.people.models import User
from tests.services.smtp import Received

PASSWORD = "Correct horse battery 42"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # allauth counts attempts in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


def body(received: Received) -> str:
    message = received.message
    parts = message.walk() if message.is_multipart() else [message]
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def subject(received: Received) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(str(received.message["Subject"]))))


def link(received: Received, kind: str) -> str:
    """The path of the first link of `kind` (confirm-email, password/reset/key) in the mail."""
    found = re.search(rf"https?://testserver(/\S*{kind}/\S+/)", body(received))
    assert found, body(received)
    return found.group(1)


def verified_user(email: str = "amina@example.org") -> User:
    user = User.objects.create_user(email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user
