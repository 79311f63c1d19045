"""A changed session is written back with the UPDATE Django's save sends, compiled once and
run alone (people/sessions.py): the same row as Django's own save writes, the same error
when the row is gone, Django's own save inside a transaction and for a new session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admissions.people import session_expiry, sessions
from admissions.people.models import Session
from admissions.people.sessions import SessionStore
from tests.accounts.conftest import PASSWORD, verified_user
from tests.accounts.test_login import log_in

# Real commits: the write runs outside any transaction, as in a request.
pytestmark = pytest.mark.django_db(transaction=True)


def _statements(queries: CaptureQueriesContext) -> list[str]:
    """What was sent to the sessions' table, by kind: a statement prepared once per
    connection (PostgreSQL) counts as the statement it runs, its `PREPARE` not at all."""
    names = {
        sessions._update("default").name: "UPDATE",
        sessions._statement("default").name: "SELECT",
    }
    kinds = []
    for query in queries:
        sql = query["sql"]
        if sql.startswith("PREPARE"):
            continue
        if sql.startswith("EXECUTE"):
            name = sql.split()[1].split("(")[0]
            if name in names:
                kinds.append(names[name])
        elif "people_session" in sql:
            kinds.append(sql.split()[0])
    return kinds


def _row(key: str) -> tuple[str, dt.datetime, int | None]:
    row = Session.objects.get(pk=key)
    return row.session_data, row.expire_date, row.user_id


def test_no_receiver_listens_to_a_session_s_save() -> None:
    """What `Model.save` would add to the UPDATE alone: its signals, which nothing hears."""
    assert not pre_save.has_listeners(Session)
    assert not post_save.has_listeners(Session)


def test_a_changed_session_is_one_update_of_the_row_django_s_save_writes() -> None:
    user = verified_user()
    store = SessionStore()
    store["answer"] = 41
    store.create()
    store = SessionStore(store.session_key)
    store["answer"] = 42
    store[SESSION_KEY] = str(user.pk)
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert _statements(queries) == ["UPDATE"]
    assert len([query for query in queries if not query["sql"].startswith("PREPARE")]) == 1
    written = _row(store.session_key)  # type: ignore[arg-type]
    assert written[2] == user.pk
    # Django's own save of the same data writes the same columns.
    djangos = SessionStore(store.session_key)
    djangos.load()
    data = djangos._get_session()  # type: ignore[attr-defined]
    instance = djangos.create_model_instance(data)
    instance.save(force_update=True)
    assert _row(store.session_key) == (  # type: ignore[arg-type]
        instance.session_data,
        instance.expire_date,
        user.pk,
    )
    assert SessionStore(store.session_key).load() == {"answer": 42, SESSION_KEY: str(user.pk)}


def test_a_session_deleted_meanwhile_is_django_s_update_error() -> None:
    store = SessionStore()
    store["answer"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).delete()
    store["answer"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(pk=store.session_key).exists()


def test_inside_a_transaction_and_for_a_new_session_the_save_is_django_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saves: list[bool] = []
    original = db.SessionStore.save

    def counted(self: db.SessionStore, must_create: bool = False) -> None:
        saves.append(must_create)
        original(self, must_create)

    monkeypatch.setattr(db.SessionStore, "save", counted)
    store = SessionStore()
    store["answer"] = 1
    store.save()
    # Django's: a new key, then the row created with it.
    assert saves == [False, True]
    store["answer"] = 2
    store.save()
    assert saves == [False, True]
    with transaction.atomic():
        store["answer"] = 3
        store.save()
    assert saves == [False, True, False]
    assert SessionStore(store.session_key).load() == {"answer": 3}


def test_a_look_that_moves_the_idle_clock_writes_it_with_one_statement(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified_user()
    log_in(client, "amina@example.org", PASSWORD)
    key = client.cookies["sessionid"].value
    before = _row(key)
    monkeypatch.setattr(session_expiry, "grain", lambda _idle: 0)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/me/").status_code == 200
    assert _statements(queries) == ["SELECT", "UPDATE"]
    after = _row(key)
    assert after[1] >= before[1]
    assert after[2] == before[2]
    assert SessionStore(key).load()[session_expiry.SEEN] >= int(timezone.now().timestamp()) - 5
