"""A session not kept is checked with its keys' HMACs prepared once (people/session_signing.py):
the same data as Django's decoding for every text, and the same refusals with their warning."""

from __future__ import annotations

import logging
import random
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as live_settings
from django.contrib.sessions.backends import db
from django.core import signing
from django.utils.crypto import salted_hmac

from admissions.people import session_signing, sessions
from admissions.people.sessions import SessionStore

SALT = "django.contrib.sessions.SessionStore"


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    sessions.DECODED.clear()
    yield
    sessions.DECODED.clear()


def datas(count: int) -> list[Any]:
    rng = random.Random(11)
    found: list[Any] = [{}, {"a": 1}, {"é": "ü" * 300}, {"n": list(range(400))}]
    for n in range(count):
        found.append(
            {
                "_auth_user_id": str(rng.randrange(10**9)),
                "_auth_user_hash": f"{rng.getrandbits(256):064x}",
                "methods": [{"at": rng.random() * 1e9, "email": f"c{n}@example.org"}],
                "flag": rng.choice([True, False, None]),
            }
        )
    return found


def djangos(text: Any) -> Any:
    return db.SessionStore().decode(text)


def test_every_text_decodes_to_django_s_data(settings: Any) -> None:
    texts = [SessionStore().encode(data) for data in datas(300)]
    # A text made with a fallback key is also read, as Django reads it.
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-newer-secret-key-" + "z" * 50
    settings.SECRET_KEY_FALLBACKS = [old]
    texts += [signing.dumps({"n": n}, salt=SALT, compress=True) for n in range(50)]
    for text in texts:
        sessions.DECODED.clear()
        assert SessionStore().decode(text) == djangos(text)
        # Kept: the same data again, from the kept bytes.
        assert SessionStore().decode(text) == djangos(text)
    assert SessionStore().decode(texts[-1]) == {"n": 49}


def test_the_keys_hmac_is_prepared_once_and_signs_as_django_does() -> None:
    rng = random.Random(5)
    for n in range(200):
        value = "".join(rng.choice("abcXYZ09:-_.é") for _ in range(rng.randrange(0, 400)))
        key = "k" * rng.randrange(1, 80) if n % 3 else b"bytes-key"
        ours = session_signing.KeptKeySigner(key=key, salt=SALT).signature(value)
        assert ours == signing.TimestampSigner(key=key, salt=SALT).signature(value)
    assert len(session_signing._keyed) <= session_signing.KEPT_ENTRIES
    text = SessionStore().encode({"who": "amina"})
    SessionStore().decode(text)
    prepared = session_signing._keyed[(SALT + "signer", live_settings.SECRET_KEY, "sha256")]
    made = salted_hmac(SALT + "signer", b"", live_settings.SECRET_KEY, algorithm="sha256")
    assert prepared.digest() == made.digest()


def test_the_serialised_data_is_kept_not_made_again() -> None:
    text = SessionStore().encode({"who": "amina", "n": [1, 2]})
    assert SessionStore().decode(text) == {"who": "amina", "n": [1, 2]}
    _keys, serialised = sessions.DECODED[text]
    assert serialised == b'{"who":"amina","n":[1,2]}'


def refusals() -> list[Any]:
    good = SessionStore().encode({"who": "amina"})
    value, _, signature = good.rpartition(":")
    body = value.rpartition(":")[0]
    other = signing.dumps({"who": "amina"}, salt="another.salt", compress=True)
    plain = signing.Signer(salt=SALT)
    return [
        good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1],
        value + ":" + signature[::-1],
        "no separator at all",
        "",
        other,
        # Signed but without a timestamp, or a timestamp that is not base 62.
        plain.sign(body),
        signing.Signer(salt=SALT).sign(body + ":*!"),
        # Signed, but not base64, not zlib, not JSON.
        signing.TimestampSigner(salt=SALT).sign(".%%%"),
        signing.TimestampSigner(salt=SALT).sign("." + signing.b64_encode(b"not zlib").decode()),
        signing.TimestampSigner(salt=SALT).sign(
            signing.b64_encode(zlib.compress(b"{not json")).decode()
        ),
        good.encode(),
    ]


def test_a_refused_text_is_refused_as_django_refuses_it(caplog: pytest.LogCaptureFixture) -> None:
    for text in refusals():
        with caplog.at_level(logging.WARNING, "django.security.SuspiciousSession"):
            caplog.clear()
            djangos(text)
            expected = [record.getMessage() for record in caplog.records]
            caplog.clear()
            assert SessionStore().decode(text) == {}
            assert [record.getMessage() for record in caplog.records] == expected
        assert text not in sessions.DECODED


def test_another_secret_key_refuses_a_text_read_before(settings: Any) -> None:
    first = settings.SECRET_KEY
    text = SessionStore().encode({"who": "amina"})
    assert SessionStore().decode(text) == {"who": "amina"}
    sessions.DECODED.clear()
    settings.SECRET_KEY = "another-secret-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = []
    assert SessionStore().decode(text) == {} == djangos(text)
    # The first key among the fallbacks: read again, as Django reads it.
    settings.SECRET_KEY_FALLBACKS = ["an-old-one-" + "x" * 50, first]
    assert SessionStore().decode(text) == {"who": "amina"} == djangos(text)
    # No longer among them: refused, kept or not.
    settings.SECRET_KEY_FALLBACKS = []
    assert SessionStore().decode(text) == {} == djangos(text)
