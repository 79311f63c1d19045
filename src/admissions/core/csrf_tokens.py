"""The CSRF token put in a page's forms, masked with one read of the system's randomness.

Django hides the CSRF secret in every response under a new random mask, so that a page
compressed with text an attacker chose cannot leak it (BREACH), and CsrfViewMiddleware
takes any masking of the secret. Django draws its mask with 32 calls to `secrets.choice`
(0.1 ms, a tenth of a kept status page's whole cost); here the mask's 32 characters come
from one `os.urandom` call, each byte below 248 (4 x 62) read modulo the 62 letters of the
alphabet and the others dropped, so every letter stays equally likely. The mask and the
masking are Django's (`django.middleware.csrf._mask_cipher_secret`): the token is a new
mask followed by each character of the secret shifted by the mask's. Both are made by
tables applied in C (`bytes.translate`: bytes to letters, letters to positions, sums of
positions to letters), not letter by letter in Python: a token in about half the time.

What the middleware left in the request is used as `get_token` does: the secret it read
from the cookie (or the session), and the flag that sends the cookie back with the response
(its expiry renewed). A request without a secret yet goes through Django's own `get_token`,
which makes one.
"""

from __future__ import annotations

import operator
import os

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils.functional import SimpleLazyObject

ALPHABET = CSRF_ALLOWED_CHARS
_POSITION = {char: index for index, char in enumerate(ALPHABET)}
# The largest multiple of the alphabet's length a byte reaches: bytes from it on are dropped.
_BYTES_KEPT = 256 - 256 % len(ALPHABET)
# Each byte below `_BYTES_KEPT` -> the letter it stands for (its value modulo the alphabet's
# length); the others are deleted by `translate`.
_LETTER_OF_BYTE = bytes(
    ord(ALPHABET[byte % len(ALPHABET)]) if byte < _BYTES_KEPT else 0 for byte in range(256)
)
_DROPPED = bytes(range(_BYTES_KEPT, 256))
# An ASCII letter -> its position in the alphabet (`_NOT_A_LETTER` for any other byte).
_NOT_A_LETTER = 255
_POSITION_OF_BYTE = bytes(_POSITION.get(chr(byte), _NOT_A_LETTER) for byte in range(256))
# The sum of two positions -> the letter at that sum modulo the alphabet's length.
_LETTER_OF_SUM = bytes(
    ord(ALPHABET[total % len(ALPHABET)]) if total < 2 * len(ALPHABET) else 0 for total in range(256)
)


def mask_from(random: bytes) -> str:
    """The letters the bytes below `_BYTES_KEPT` stand for, in order."""
    return random.translate(_LETTER_OF_BYTE, _DROPPED).decode("ascii")


def new_mask(length: int = CSRF_SECRET_LENGTH) -> str:
    mask = ""
    while len(mask) < length:
        # 40 bytes give 32 letters but once in about 10^10 draws.
        mask += mask_from(os.urandom(length + 8))
    return mask[:length]


def masked(secret: str, mask: str) -> str:
    """The token for `secret` under `mask`, as CsrfViewMiddleware unmasks it."""
    if len(secret) != len(mask):
        raise ValueError("a mask has the secret's length")
    # Non-ASCII text fails to encode (a ValueError as well).
    positions = secret.encode("ascii").translate(_POSITION_OF_BYTE)
    shifts = mask.encode("ascii").translate(_POSITION_OF_BYTE)
    if _NOT_A_LETTER in positions or _NOT_A_LETTER in shifts:
        raise ValueError("a letter outside the alphabet")
    return mask + bytes(map(operator.add, positions, shifts)).translate(_LETTER_OF_SUM).decode()


def token(request: HttpRequest) -> str:
    """The request's CSRF token under a new mask, as `django.middleware.csrf.get_token`."""
    secret = request.META.get("CSRF_COOKIE")
    if (
        not isinstance(secret, str)
        or len(secret) != CSRF_SECRET_LENGTH
        # The alphabet's letters are exactly the ASCII letters and digits.
        or not (secret.isascii() and secret.isalnum())
    ):
        return get_token(request)
    # The cookie is in use: sent back with the response, its expiry renewed.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(secret, new_mask())


def context(request: HttpRequest) -> dict[str, object]:
    """The templates' `csrf_token`, in place of Django's own context processor's: read once
    per rendering, when a form asks for it."""
    return {"csrf_token": SimpleLazyObject(lambda: token(request))}
