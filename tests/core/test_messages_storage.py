"""Messages: Django's storage, its cookie's signer made only when the cookie is read or written."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage as DjangoCookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage as DjangoFallbackStorage
from django.contrib.messages.storage.session import SessionStorage
from django.http import HttpRequest, HttpResponse
from django.test import override_settings

from admissions.core import messages_storage


def _request(cookie: str | None = None) -> HttpRequest:
    request = HttpRequest()
    request.session = {}  # type: ignore[assignment]
    if cookie is not None:
        request.COOKIES[DjangoCookieStorage.cookie_name] = cookie
    return request


def test_the_site_uses_it() -> None:
    assert settings.MESSAGE_STORAGE == "admissions.core.messages_storage.FallbackStorage"


def test_a_storage_not_reading_nor_writing_its_cookie_makes_no_signer() -> None:
    storage = messages_storage.FallbackStorage(_request())
    cookie_storage = storage.storages[0]
    assert isinstance(cookie_storage, messages_storage.CookieStorage)
    assert isinstance(storage.storages[1], SessionStorage)
    assert "signer" not in vars(cookie_storage)
    # Nothing waits: no cookie to read, and no signer needed to say so.
    assert len(storage) == 0
    assert "signer" not in vars(cookie_storage)


def test_the_state_is_djangos_but_the_signer() -> None:
    request = _request()
    ours = messages_storage.CookieStorage(request)
    django = DjangoCookieStorage(request)
    theirs = vars(django)
    assert set(theirs) - set(vars(ours)) == {"signer"}
    assert {name: value for name, value in theirs.items() if name != "signer"} == vars(ours)
    # Made when asked for: Django's signer, with the same salt, keys and algorithm.
    for name in ("key", "salt", "sep", "algorithm"):
        assert getattr(ours.signer, name) == getattr(django.signer, name)
    assert list(ours.signer.fallback_keys) == list(django.signer.fallback_keys)
    assert type(ours.signer) is type(django.signer)


def test_a_message_written_by_one_storage_reads_in_the_other() -> None:
    """Ours writes the cookie Django's reads, and reads Django's."""
    for writer_class, reader_class in (
        (messages_storage.FallbackStorage, DjangoFallbackStorage),
        (DjangoFallbackStorage, messages_storage.FallbackStorage),
    ):
        request = _request()
        writer = writer_class(request)
        writer.add(messages.SUCCESS, "Your application is saved.")
        writer.add(messages.INFO, "Ton dossier est complet.", extra_tags="keep")
        response = HttpResponse()
        writer.update(response)
        written = response.cookies[DjangoCookieStorage.cookie_name].value
        reader = reader_class(_request(written))
        read = [(message.level, message.message, message.extra_tags) for message in reader]
        assert read == [
            (messages.SUCCESS, "Your application is saved.", ""),
            (messages.INFO, "Ton dossier est complet.", "keep"),
        ]


def test_a_cookie_signed_with_another_key_is_not_read() -> None:
    request = _request()
    writer = messages_storage.FallbackStorage(request)
    writer.add(messages.ERROR, "Not for you.")
    response = HttpResponse()
    writer.update(response)
    written = response.cookies[DjangoCookieStorage.cookie_name].value
    with override_settings(SECRET_KEY="another key of at least fifty characters, for the test"):
        assert list(messages_storage.FallbackStorage(_request(written))) == []
