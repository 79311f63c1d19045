"""The upgrade that moves sessions to the people app's table signs nobody out."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.db import connection
from django.test import Client
from django.utils import timezone

from admissions.people.models import Session
from tests.accounts.conftest import PASSWORD, verified_user
from tests.accounts.test_login import log_in
from tests.migrating import migrate_to

BEFORE = ("people", "0009_education_work_updated_at")
AFTER = ("people", "0010_sessions_with_their_user")
MIGRATION = importlib.import_module("admissions.people.migrations.0010_sessions_with_their_user")


def _django_rows() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_key, session_data FROM django_session")
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_a_session_written_before_the_upgrade_is_still_signed_in_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = verified_user()
    client = Client()
    log_in(client, "amina@example.org", PASSWORD)
    assert client.get("/en/me/").status_code == 200
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    # Going back puts the sessions in Django's table, as the site kept them before.
    migrate_to(BEFORE)
    assert key in _django_rows()
    # What Django's own store wrote there: signed-in sessions, one anonymous, one that does
    # not decode, one expired; more than a batch of them.
    monkeypatch.setattr(MIGRATION, "BATCH", 3)
    others = []
    for number in range(7):
        store = DjangoStore()
        store["_auth_user_id"] = str(user.pk) if number % 2 else None
        store.create()
        others.append(store.session_key)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE django_session SET session_data = %s WHERE session_key = %s",
            ["not-signed:data", others[0]],
        )
        cursor.execute(
            "UPDATE django_session SET expire_date = %s WHERE session_key = %s",
            [timezone.now() - dt.timedelta(seconds=1), others[1]],
        )
    migrate_to(AFTER)
    assert _django_rows() == {}
    users = dict(Session.objects.values_list("session_key", "user_id"))
    assert users == {
        key: user.pk,
        **{other: (user.pk if n % 2 else None) for n, other in enumerate(others) if n != 1},
        others[0]: None,
    }
    assert client.get("/en/me/").status_code == 200
