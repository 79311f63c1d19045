"""Each signed-in request reads its session row and its user's row afresh, in one compiled
statement (people/sessions.py), and meets all of Django's checks (people/authentication.py):
a user deactivated, deleted, whose password changed or whose role was removed, a session
logged out, expired, deleted or naming another backend, is signed out at the next request,
in any process, with or without a shared cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import cached_db, db
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admissions.people import sessions
from admissions.people.authentication import FIELDS, read_user
from admissions.people.models import Role, Session, StaffRole, User
from admissions.people.sessions import SessionStore, read
from tests.accounts.conftest import PASSWORD, verified_user
from tests.accounts.test_login import log_in
from tests.factories import load_preset, staff_member

pytestmark = pytest.mark.django_db

PAGE = "/en/me/"
READS = ('"people_session"', '"people_user"')


@pytest.fixture(params=["database", "shared cache"])
def engine(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """A site without a shared cache, and one with Redis (sessions stay in the database)."""
    if request.param == "shared cache":
        settings.CACHES = {
            **django_settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": request.getfixturevalue("redis_server"),
            },
        }
        caches["default"].clear()
    yield request.param
    if request.param == "shared cache":
        caches["default"].clear()


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


def _another_process(client: Client) -> Client:
    """A client with the same cookie, its own connection to the cache."""
    caches["default"].close()
    other = Client()
    other.cookies[django_settings.SESSION_COOKIE_NAME] = _session_key(client)
    return other


def _reads(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in READS)]


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


def test_the_session_read_is_the_row_and_its_user_s_row() -> None:
    user = verified_user()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now(), first_name="Amina")
    expected = User.objects.get(pk=user.pk)
    store = SessionStore()
    store["answer"] = 42
    store[SESSION_KEY] = str(user.pk)
    store.create()
    row = Session.objects.get(session_key=store.session_key)
    assert row.user_id == user.pk
    found = read(store.session_key)
    assert found is not None
    session, joined = found
    assert (session.session_key, session.session_data, session.expire_date) == (
        row.session_key,
        row.session_data,
        row.expire_date,
    )
    assert joined is not None
    assert {name: getattr(joined, name) for name in FIELDS} == {
        name: getattr(expected, name) for name in FIELDS
    }
    assert timezone.is_aware(joined.last_login)  # type: ignore[arg-type]
    assert (joined._state.adding, joined._state.db) == (False, "default")
    assert SessionStore(store.session_key).load()["answer"] == 42
    assert read(None) is None
    # A user no longer there: the session's row, no user's.
    User.objects.filter(pk=user.pk).delete()
    assert read(store.session_key) == (session, None)
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert read(store.session_key) is None
    assert SessionStore(store.session_key).load() == {}


def test_each_save_keeps_the_signed_in_user_s_key_beside_the_session() -> None:
    user = verified_user()
    store = SessionStore()
    store["answer"] = 42
    store.create()
    assert Session.objects.get(pk=store.session_key).user_id is None
    store[SESSION_KEY] = str(user.pk)
    store.save()
    assert Session.objects.get(pk=store.session_key).user_id == user.pk
    store[SESSION_KEY] = "not a key"
    store.save()
    assert Session.objects.get(pk=store.session_key).user_id is None
    store[SESSION_KEY] = str(user.pk)
    store.cycle_key()
    assert Session.objects.get(pk=store.session_key).user_id == user.pk
    del store[SESSION_KEY]
    store.save()
    assert Session.objects.get(pk=store.session_key).user_id is None


def test_a_log_in_writes_the_user_s_key(client: Client, engine: str) -> None:
    user = _signed_in(client)
    assert Session.objects.get(pk=_session_key(client)).user_id == user.pk
    client.post("/en/accounts/logout/")
    assert not Session.objects.filter(user_id=user.pk).exists()


def test_a_signed_in_page_reads_the_session_and_the_user_in_one_statement(
    client: Client, engine: str
) -> None:
    _signed_in(client)
    for _look in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        reads = _reads(captured)
        assert len(reads) == 1, reads
        assert 'FROM "people_session" LEFT OUTER JOIN "people_user"' in reads[0]


def test_a_user_s_row_joined_to_another_user_s_session_is_not_used(client: Client) -> None:
    user = _signed_in(client)
    other = User.objects.create_user("other@example.org", PASSWORD)
    Session.objects.filter(pk=_session_key(client)).update(user=other)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == user.pk  # type: ignore[attr-defined]
    assert len(_reads(captured)) == 2
    # Signed out as soon as the one the session names is.
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _signed_out(client)


class OwnReadBackend(ModelBackend):
    """A backend that reads its users its own way."""

    calls = 0

    def get_user(self, user_id: Any) -> Any:
        OwnReadBackend.calls += 1
        return super().get_user(user_id)


def test_a_backend_that_reads_its_users_itself_is_asked(client: Client, settings: Any) -> None:
    path = f"{__name__}.OwnReadBackend"
    settings.AUTHENTICATION_BACKENDS = [*django_settings.AUTHENTICATION_BACKENDS, path]
    _signed_in(client)
    store = SessionStore(_session_key(client))
    store[BACKEND_SESSION_KEY] = path
    store.save()
    OwnReadBackend.calls = 0
    assert client.get(PAGE).status_code == 200
    assert OwnReadBackend.calls == 1


def test_logged_out_in_another_request_is_signed_out(client: Client, engine: str) -> None:
    _signed_in(client)
    other = _another_process(client)
    assert other.get(PAGE).status_code == 200
    client.post("/en/accounts/logout/")
    assert _signed_out(other)


def test_a_deactivated_user_is_signed_out(client: Client, engine: str) -> None:
    user = _signed_in(client)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _signed_out(client)


def test_a_deleted_user_is_signed_out(client: Client, engine: str) -> None:
    user = _signed_in(client)
    User.objects.filter(pk=user.pk).delete()
    assert _signed_out(client)


def test_a_changed_password_signs_out_and_ends_the_session(client: Client, engine: str) -> None:
    user = _signed_in(client)
    key = _session_key(client)
    User.objects.filter(pk=user.pk).update(password=make_password("Another password 77"))
    assert _signed_out(client)
    assert not Session.objects.filter(session_key=key).exists()


def test_a_removed_role_closes_the_staff_pages(client: Client, engine: str) -> None:
    campaign = load_preset("imt-nord-europe")
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    client.force_login(officer)
    assert client.get("/en/office/").status_code == 200
    StaffRole.objects.filter(user=officer).delete()
    assert client.get("/en/office/").status_code == 404


def test_a_session_deleted_elsewhere_is_signed_out(client: Client, engine: str) -> None:
    _signed_in(client)
    # Another process ends it through its store.
    SessionStore(_session_key(client)).delete()
    assert _signed_out(client)


def test_a_session_row_deleted_is_signed_out(client: Client, engine: str) -> None:
    _signed_in(client)
    Session.objects.filter(session_key=_session_key(client)).delete()
    assert _signed_out(client)


def test_an_expired_session_is_signed_out(client: Client, engine: str) -> None:
    _signed_in(client)
    Session.objects.filter(session_key=_session_key(client)).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _signed_out(client)


def test_a_session_naming_another_backend_is_signed_out(client: Client, engine: str) -> None:
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
    assert Session.objects.get(pk=new_key).user_id == int(SessionStore(new_key)[SESSION_KEY])


def test_a_forced_log_in_uses_the_same_read(client: Client) -> None:
    # force_login names Django's own backend in the session; allauth's log-in names its own.
    user = verified_user()
    client.force_login(user)
    assert SessionStore(_session_key(client))[BACKEND_SESSION_KEY] == (
        "django.contrib.auth.backends.ModelBackend"
    )
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    assert len(_reads(captured)) == 1
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _signed_out(client)


def test_clearsessions_removes_the_expired_sessions(engine: str) -> None:
    kept, gone = SessionStore(), SessionStore()
    for store in (kept, gone):
        store["answer"] = 42
        store.create()
    Session.objects.filter(pk=gone.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    call_command("clearsessions")
    assert list(Session.objects.values_list("pk", flat=True)) == [kept.session_key]


def test_sessions_of_django_s_stores_and_of_both_engines_read_each_other() -> None:
    """Upgrading keeps people signed in: Django's stores (the site's engine with a shared
    cache before) and this one sign and read a session the same way."""
    stores = [db.SessionStore, cached_db.SessionStore, SessionStore]
    for writer in stores:
        encoded = writer().encode({"who": writer.__qualname__})
        for reader in stores:
            assert reader().decode(encoded) == {"who": writer.__qualname__}, (writer, reader)


def test_a_decoded_session_is_a_fresh_copy_each_time() -> None:
    store = SessionStore()
    encoded = store.encode({"nested": {"list": [1, 2]}, "who": "amina"})
    first = SessionStore().decode(encoded)
    assert encoded in sessions.DECODED
    first["nested"]["list"].append(3)
    first["who"] = "someone else"
    second = SessionStore().decode(encoded)
    assert second == {"nested": {"list": [1, 2]}, "who": "amina"}
    assert second["nested"] is not first["nested"]


def test_a_decoded_session_is_kept_only_for_the_keys_that_checked_it(settings: Any) -> None:
    encoded = SessionStore().encode({"who": "amina"})
    assert SessionStore().decode(encoded) == {"who": "amina"}
    # Another secret key, the old one no longer among the fallbacks: the text no longer
    # decodes, kept or not.
    settings.SECRET_KEY = "another-secret-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = []
    assert SessionStore().decode(encoded) == {}
    # A text signed otherwise, or tampered with, is never kept.
    tampered = encoded[:-2] + ("A" if encoded[-2] != "A" else "B") + encoded[-1]
    assert SessionStore().decode(tampered) == {}
    assert tampered not in sessions.DECODED


def test_the_decoded_sessions_kept_are_bounded() -> None:
    store = SessionStore()
    for n in range(sessions.DECODED_ENTRIES * 2 + 3):
        store.decode(store.encode({"n": n}))
        assert len(sessions.DECODED) <= sessions.DECODED_ENTRIES


def test_a_session_changed_in_its_row_is_read_as_changed(client: Client, engine: str) -> None:
    """What is kept is what a text decodes to: a row that changes reads as changed."""
    _signed_in(client)
    key = _session_key(client)
    store = SessionStore(key)
    store["shown"] = "before"
    store.save()
    assert SessionStore(key)["shown"] == "before"
    store["shown"] = "after"
    store.save()
    assert SessionStore(key)["shown"] == "after"
    store.flush()
    assert _signed_out(client)


def test_the_request_s_user_is_read_once_and_held_as_itself(client: Client) -> None:
    response = client.get(PAGE)
    assert type(response.wsgi_request.user) is AnonymousUser  # type: ignore[attr-defined]
    user = _signed_in(client)
    response = client.get(PAGE)
    held = response.wsgi_request.user  # type: ignore[attr-defined]
    assert type(held) is User
    assert held.pk == user.pk
    # Still every check on the next request: deactivated, signed out.
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _signed_out(client)
