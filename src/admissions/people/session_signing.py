"""A session's signed text checked as `signing.loads` checks it, its HMAC's keys prepared once.

For every text, Django's `signing.loads` makes a signer (reading the settings, checking its
separator) and, for each secret key it tries, derives the HMAC's key from the salt and the
secret (a SHA-256 of both) and prepares an HMAC with it: the same work for every session
while the settings stay. Here a signer is kept per salt and secret keys, and each key's
prepared HMAC per salt, secret and algorithm (`salted_hmac`'s own, given no message): a
signature is a copy of it fed the value, the same digest as `salted_hmac`'s. The rest is
Django's: the keys tried in turn (the current one, then the fallbacks), the separator, the
timestamp, base64 and zlib.

`unsigned` answers the serialised data `signing.loads` would deserialise, so that the data
can be kept as the text's own bytes (`sessions.DECODED`): a copy made from them is the data
Django's serialiser makes of the text.
"""

from __future__ import annotations

import hmac
import zlib
from typing import Any

from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes

# Kept signers and HMACs: a few per settings (one salt, the secret and its fallbacks).
KEPT_ENTRIES = 32
_signers: dict[tuple[Any, ...], KeptKeySigner] = {}
_keyed: dict[tuple[str, Any, str], hmac.HMAC] = {}


def keyed(salt: str, secret: Any, algorithm: str) -> hmac.HMAC:
    """`salted_hmac(salt, <no message>, secret, algorithm=algorithm)`, made once."""
    key = (salt, secret, algorithm)
    found = _keyed.get(key)
    if found is None:
        found = salted_hmac(salt, b"", secret, algorithm=algorithm)
        if len(_keyed) >= KEPT_ENTRIES:
            _keyed.clear()
        _keyed[key] = found
    return found


class KeptKeySigner(signing.TimestampSigner):
    """Django's timestamped signer, each key's HMAC prepared once."""

    salt: str

    def signature(self, value: Any, key: Any = None) -> str:
        key = key or self.key
        mac = keyed(self.salt + "signer", key, self.algorithm).copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()


def signer(salt: str, secret: Any, fallbacks: tuple[Any, ...]) -> KeptKeySigner:
    """The signer `signing.loads(..., salt=salt)` makes with these settings, kept."""
    key = (salt, secret, fallbacks)
    found = _signers.get(key)
    if found is None:
        found = KeptKeySigner(key=secret, salt=salt, fallback_keys=list(fallbacks))
        if len(_signers) >= KEPT_ENTRIES:
            _signers.clear()
        _signers[key] = found
    return found


def unsigned(text: str, salt: str, secret: Any, fallbacks: tuple[Any, ...]) -> bytes:
    """What `signing.loads(text, salt=salt)` hands its serialiser, with `secret` and
    `fallbacks` as the settings' keys; its exceptions where it raises them (`BadSignature`
    for a signature no key gives)."""
    base64d = signer(salt, secret, fallbacks).unsign(text).encode()
    decompress = base64d[:1] == b"."
    if decompress:
        base64d = base64d[1:]
    data = signing.b64_decode(base64d)
    if decompress:
        data = zlib.decompress(data)
    return data
