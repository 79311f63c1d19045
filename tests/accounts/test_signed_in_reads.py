"""Each signed-in request reads its session row and its user's row afresh, one compiled
statement each (people/sessions.py, people/authentication.py), and meets all of Django's
checks: a user deactivated, deleted or whose password changed, a session logged out,
expired or naming another backend, is signed out at the next request, in any process."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends import cached_db, db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admissions.people.authentication import FIELDS, read_user
from admissions.people.models import User
from admissions.people.sessions import CachedSessionStore, SessionStore, read
from tests.accounts.conftest import PASSWORD, verified_user
from tests.accounts.test_login import log_in

pytestmark = pytest.mark.django_db

PAGE = "/en/me/"


def _signed_in(client: Client) -> User:
    user = verified_user()
    log_in(client, "amina@example.org", PASSWORD)
    assert client.get(PAGE).status_code == 200
    return user


def _signed_out(client: Client) -> bool:
    response = client.get(PAGE)
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def _session_key(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_the_user_read_is_the_orm_s_user() -> None:
    user = verified_user()
    User.objects.filter(pk=user.pk).update(
        last_login=timezone.now() - dt.timedelta(hours=3), is_staff=True, first_name="Amina"
    )
    expected = User.objects.get(pk=user.pk)
    found = read_user(user.pk)
    assert found is not None
    assert {name: getattr(found, name) for name in FIELDS} == {
        name: getattr(expected, name) for name in FIELDS
    }
    assert found.last_login is not None
    assert timezone.is_aware(found.last_login)
    assert found._state.adding is False
    assert found._state.db == "default"
    assert read_user(user.pk + 1000) is None


def test_the_session_read_is_the_row() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.create()
    row = Session.objects.get(session_key=store.session_key)
    found = read(store.session_key)
    assert found is not None
    assert (found.session_key, found.session_data, found.expire_date) == (
        row.session_key,
        row.session_data,
        row.expire_date,
    )
    assert SessionStore(store.session_key).load() == {"answer": 42}
    assert read(None) is None
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert read(store.session_key) is None
    assert SessionStore(store.session_key).load() == {}


def test_a_signed_in_page_reads_the_session_and_the_user_once(client: Client) -> None:
    _signed_in(client)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    assert len([q for q in sql if '"django_session"' in q]) == 1
    assert len([q for q in sql if 'FROM "people_user"' in q]) == 1


def test_a_deactivated_user_is_signed_out(client: Client) -> None:
    user = _signed_in(client)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _signed_out(client)


def test_a_deleted_user_is_signed_out(client: Client) -> None:
    user = _signed_in(client)
    User.objects.filter(pk=user.pk).delete()
    assert _signed_out(client)


def test_a_changed_password_signs_out_and_ends_the_session(client: Client) -> None:
    user = _signed_in(client)
    key = _session_key(client)
    User.objects.filter(pk=user.pk).update(password=make_password("Another password 77"))
    assert _signed_out(client)
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_deleted_elsewhere_is_signed_out(client: Client) -> None:
    _signed_in(client)
    Session.objects.filter(session_key=_session_key(client)).delete()
    assert _signed_out(client)


def test_an_expired_session_is_signed_out(client: Client) -> None:
    _signed_in(client)
    Session.objects.filter(session_key=_session_key(client)).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _signed_out(client)


def test_a_session_naming_another_backend_is_signed_out(client: Client) -> None:
    _signed_in(client)
    store = SessionStore(_session_key(client))
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.RemoteUserBackend"
    store.save()
    assert _signed_out(client)


def test_a_session_signed_with_a_previous_secret_key_moves_to_the_current_one(
    client: Client, settings: object
) -> None:
    _signed_in(client)
    old_key = _session_key(client)
    old_hash = SessionStore(old_key)[HASH_SESSION_KEY]
    settings.SECRET_KEY_FALLBACKS = [django_settings.SECRET_KEY]  # type: ignore[attr-defined]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50  # type: ignore[attr-defined]
    assert client.get(PAGE).status_code == 200
    new_key = _session_key(client)
    assert new_key != old_key
    assert SessionStore(new_key)[HASH_SESSION_KEY] != old_hash


def test_a_forced_log_in_uses_the_same_read(client: Client) -> None:
    # force_login names Django's own backend in the session; allauth's log-in names its own.
    user = verified_user()
    client.force_login(user)
    assert SessionStore(_session_key(client))[BACKEND_SESSION_KEY] == (
        "django.contrib.auth.backends.ModelBackend"
    )
    assert client.get(PAGE).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _signed_out(client)


def test_sessions_of_django_s_stores_and_of_both_engines_read_each_other() -> None:
    """Switching engines (a shared cache set or removed) or upgrading keeps people signed in:
    every store signs and reads a session the same way."""
    stores = [db.SessionStore, cached_db.SessionStore, SessionStore, CachedSessionStore]
    for writer in stores:
        encoded = writer().encode({"who": writer.__qualname__})
        for reader in stores:
            assert reader().decode(encoded) == {"who": writer.__qualname__}, (writer, reader)
