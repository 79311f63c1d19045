"""Django's messages storage (a cookie, then the session), its cookie's signer made when used.

Every request gets a storage (`MessageMiddleware`), and Django's cookie storage makes the
signer of its cookie there and then: the signing backend imported by name, the secret keys
read, about 7 µs, on every page. Most requests carry no messages cookie and add no message:
the signer is never used. Here it is made the first time the storage reads or writes its
cookie, with the same salt, keys and backend; everything else is Django's storage.
"""

from __future__ import annotations

from typing import Any

from django.contrib.messages.storage import base, cookie, fallback, session
from django.core import signing
from django.utils.functional import cached_property


class CookieStorage(cookie.CookieStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django's `CookieStorage.__init__` is `BaseStorage.__init__` then the signer.
        base.BaseStorage.__init__(self, *args, **kwargs)

    @cached_property
    def signer(self) -> signing.Signer:
        return signing.get_cookie_signer(salt=self.key_salt)


class FallbackStorage(fallback.FallbackStorage):
    """Django's default storage: messages in a cookie, those that do not fit in the session."""

    storage_classes = (CookieStorage, session.SessionStorage)
