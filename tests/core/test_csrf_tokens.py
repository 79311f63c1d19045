"""The CSRF token of a page's forms: a new uniform mask on every answer, taken by Django."""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    _unmask_cipher_token,
)
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.core import csrf_tokens
from admissions.people.models import User
from tests.factories import eligible_candidate

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECRET = "A" * 10 + "z" * 10 + "0123456789" + "Zq"


def test_every_byte_below_the_bound_stands_for_one_letter_equally_often() -> None:
    letters = csrf_tokens.mask_from(bytes(range(256)))
    # 248 bytes kept (4 x 62), the 8 highest dropped: each letter exactly 4 times.
    assert len(letters) == 248
    assert Counter(letters) == dict.fromkeys(CSRF_ALLOWED_CHARS, 4)
    assert csrf_tokens.mask_from(bytes(range(248, 256))) == ""


def _letters_one_by_one(random: bytes) -> str:
    """What a mask's bytes stand for, written out letter by letter."""
    size = len(CSRF_ALLOWED_CHARS)
    return "".join(CSRF_ALLOWED_CHARS[byte % size] for byte in random if byte < 4 * size)


def _masked_one_by_one(secret: str, mask: str) -> str:
    """Django's masking (`_mask_cipher_secret`), written out letter by letter."""
    chars = CSRF_ALLOWED_CHARS
    pairs = zip((chars.index(x) for x in secret), (chars.index(y) for y in mask), strict=True)
    return mask + "".join(chars[(x + y) % len(chars)] for x, y in pairs)


def test_the_letters_of_random_bytes_are_those_read_one_by_one() -> None:
    assert csrf_tokens.mask_from(bytes(range(256))) == _letters_one_by_one(bytes(range(256)))
    for _ in range(300):
        random = os.urandom(40)
        assert csrf_tokens.mask_from(random) == _letters_one_by_one(random)


def test_a_masked_secret_is_djangos_and_unmasks_to_the_secret() -> None:
    for _ in range(300):
        secret = _letters_one_by_one(os.urandom(64))[:CSRF_SECRET_LENGTH]
        mask = csrf_tokens.new_mask()
        if len(secret) < CSRF_SECRET_LENGTH:
            continue
        token = csrf_tokens.masked(secret, mask)
        assert token == _masked_one_by_one(secret, mask)
        assert _unmask_cipher_token(token) == secret
    with pytest.raises(ValueError, match="length"):
        csrf_tokens.masked(SECRET, SECRET[:-1])
    for outside in ("-", "é", "\xff", " "):
        with pytest.raises(ValueError, match=r"alphabet|ascii"):
            csrf_tokens.masked(SECRET[:-1] + outside, SECRET)
        with pytest.raises(ValueError, match=r"alphabet|ascii"):
            csrf_tokens.masked(SECRET, SECRET[:-1] + outside)


def test_a_request_without_a_secret_gets_a_new_one_from_django() -> None:
    request = HttpRequest()
    token = csrf_tokens.token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == CSRF_SECRET_LENGTH
    assert _unmask_cipher_token(token) == secret


@pytest.mark.parametrize("last", ["-", "é", "٣", "\x00"])
def test_a_secret_with_a_letter_outside_the_alphabet_is_left_to_django(last: str) -> None:
    """Django's masking refuses a letter it does not know (the middleware never keeps such a
    secret): not masked here with a letter read as another."""
    request = HttpRequest()
    request.META["CSRF_COOKIE"] = SECRET[:-1] + last
    with pytest.raises(ValueError, match="substring not found"):
        csrf_tokens.token(request)


def test_a_secret_of_the_alphabet_is_masked_and_its_cookie_renewed() -> None:
    request = HttpRequest()
    request.META["CSRF_COOKIE"] = SECRET
    token = csrf_tokens.token(request)
    assert _unmask_cipher_token(token) == SECRET
    assert request.META["CSRF_COOKIE"] == SECRET
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_a_mask_is_new_and_of_the_secrets_length() -> None:
    masks = {csrf_tokens.new_mask() for _ in range(200)}
    assert len(masks) == 200
    assert all(len(mask) == CSRF_SECRET_LENGTH for mask in masks)
    assert set("".join(masks)) <= set(CSRF_ALLOWED_CHARS)
    # Over 6,400 letters, no letter of the 62 is missing nor far above its share.
    counts = Counter("".join(masks))
    assert len(counts) == len(CSRF_ALLOWED_CHARS)
    assert max(counts.values()) < 3 * 6400 / 62


def test_the_masking_is_djangos() -> None:
    mask = CSRF_ALLOWED_CHARS[1:33]
    token = csrf_tokens.masked(SECRET, mask)
    assert token.startswith(mask)
    assert len(token) == 2 * CSRF_SECRET_LENGTH
    # The first letter of the alphabet is no shift; the last one wraps round.
    assert csrf_tokens.masked("a" * 32, "a" * 32) == "a" * 64
    assert csrf_tokens.masked("b" + "a" * 31, "9" + "a" * 31)[32] == "a"


@pytest.fixture
def candidate(db: None) -> User:
    return eligible_candidate(given_names="Camille")


def _form_token(client: Client, path: str) -> str:
    tokens = TOKEN.findall(client.get(path).content.decode())
    assert tokens, path
    return str(tokens[0])


def test_a_rendered_forms_token_is_taken_and_a_wrong_one_refused(candidate: User) -> None:
    """A page rendered (not kept) through the templates' `csrf_token`: the profile's form."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    with translation.override("en"):
        path = reverse("portal:profile")
        switch = reverse("set_language")
    first = _form_token(client, path)
    second = _form_token(client, path)
    assert first != second, "each answer masks the secret afresh"
    assert first[:CSRF_SECRET_LENGTH] != second[:CSRF_SECRET_LENGTH]
    # The cookie is renewed with each answer that carries a token, as Django does.
    response = client.get(path)
    assert settings.CSRF_COOKIE_NAME in response.cookies
    for token in (first, second):
        answer = client.post(switch, {"csrfmiddlewaretoken": token, "language": "en"})
        assert answer.status_code == 302
    wrong = first[:-1] + ("a" if first[-1] != "a" else "b")
    assert client.post(switch, {"csrfmiddlewaretoken": wrong, "language": "en"}).status_code == 403


def test_a_request_without_a_secret_yet_gets_one_from_django(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    with translation.override("en"):
        login = reverse("account_login")
    response = client.get(login)
    assert settings.CSRF_COOKIE_NAME in response.cookies
    token = TOKEN.findall(response.content.decode())[-1]
    answer = client.post(login, {"csrfmiddlewaretoken": token, "login": "x@example.org"})
    assert answer.status_code != 403
