"""The status page's version read in the session's statement: the same version, only for the
signed-in reader's own file and the reference asked for, and every check of the session
still made on the status page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from admissions.applications.models import Application
from admissions.people import session_riders, sessions
from admissions.people.models import Session, User
from admissions.people.session_riders import NOTHING, Ridden, ridden
from admissions.portal import status_rider
from admissions.workflow.status_version import digest, status_version
from tests.factories import eligible_candidate, ready_application
from tests.portal.test_status_page_kept import HIT, client_of, kept, page, url
from tests.portal.test_status_page_kept import candidate as candidate  # the fixtures, shared
from tests.portal.test_status_page_kept import clock as clock
from tests.portal.test_status_page_kept import empty_cache as empty_cache  # autouse
from tests.portal.test_status_page_kept import nord as nord
from tests.portal.test_status_page_kept import renders as renders  # autouse
from tests.portal.test_status_page_kept import submitted as submitted


def _key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _ridden(client: Client, reference: str) -> Ridden | None:
    found = sessions.read_riding(_key(client), (status_rider.RIDER, (reference,)))
    assert found is not None
    return found[2]


def _signed_out(client: Client, address: str) -> bool:
    response = client.get(address)
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_version_read_with_the_session_is_the_files_version(
    nord: Any, candidate: User, submitted: Application
) -> None:
    client = client_of(candidate)
    found = _ridden(client, submitted.reference)
    assert found is not None
    assert found.user_id == candidate.pk
    version = status_version(candidate.pk, submitted.reference)
    assert version is not None
    assert digest(found.value) == version[0]
    # Another's file, a file that is not there, a draft: nothing read.
    other = eligible_candidate(given_names="Dominique")
    draft = ready_application(other, nord)
    assert _ridden(client_of(other), submitted.reference).value is None  # type: ignore[union-attr]
    assert _ridden(client, "NE-2024-999999").value is None  # type: ignore[union-attr]
    assert _ridden(client_of(other), draft.reference).value is None  # type: ignore[union-attr]


def test_one_statement_reads_the_session_its_user_and_the_version(
    candidate: User, submitted: Application
) -> None:
    client = client_of(candidate)
    kept(client, url(submitted))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(submitted)).status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == HIT == 1
    assert '"people_session"' in statements[0]
    assert '"people_user"' in statements[0]
    assert '"applications_application"' in statements[0]


def test_only_the_status_pages_paths_are_matched(submitted: Application) -> None:
    reference = submitted.reference
    for language in ("fr", "en"):
        with translation.override(language):
            address = reverse("portal:application_status", args=[reference])
            detail = reverse("portal:application", args=[reference])
        assert status_rider.match(address) == (reference,)
        assert status_rider.match(detail) is None
        assert status_rider.match(address + "more/") is None
        assert status_rider.match(address.replace(reference, "ne-2024-000001")) is None
        assert status_rider.match(address.replace(reference, f"{reference}/x")) is None
    assert status_rider.match("/en/me/") is None


def test_a_value_is_taken_only_for_its_user_and_values_and_once() -> None:
    class Store:
        ridden: Ridden | None = None

    store = Store()
    name = status_rider.RIDER.name
    for user_id, values, rider in [
        (8, ("NE-2024-000001",), name),
        (7, ("NE-2024-000002",), name),
        (7, ("NE-2024-000001",), "another"),
        (None, ("NE-2024-000001",), name),
    ]:
        store.ridden = Ridden(rider, ("NE-2024-000001",), 7 if user_id else None, b"v")
        assert ridden(store, name, values, user_id) is NOTHING
    store.ridden = Ridden(name, ("NE-2024-000001",), 7, b"v")
    assert ridden(store, name, ("NE-2024-000001",), 7) == b"v"
    assert ridden(store, name, ("NE-2024-000001",), 7) is NOTHING
    assert ridden(object(), name, ("NE-2024-000001",), 7) is NOTHING


def test_a_session_whose_user_column_names_another_serves_the_readers_own_page(
    nord: Any, candidate: User, submitted: Application
) -> None:
    client = client_of(candidate)
    shown = kept(client, url(submitted))
    other = eligible_candidate(given_names="Dominique")
    theirs = ready_application(other, nord)
    Session.objects.filter(pk=_key(client)).update(user=other)
    again, queries, _rendered = page(client, url(submitted))
    assert again == shown
    assert queries > HIT
    # The other's file is still not the reader's.
    assert client.get(url(theirs)).status_code == 404


def test_a_draft_is_rendered_on_every_look(nord: Any, candidate: User) -> None:
    draft = ready_application(candidate, nord)
    client = client_of(candidate)
    first, _queries, _rendered = page(client, url(draft))
    again, queries_again, _rendered = page(client, url(draft))
    assert draft.reference in first
    assert again == first
    assert queries_again > HIT


def _logged_out_elsewhere(client: Client, user: User) -> None:
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = _key(client)
    other.post("/en/accounts/logout/")


def _expired(client: Client, user: User) -> None:
    Session.objects.filter(pk=_key(client)).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )


def _deactivated(client: Client, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)


def _password_changed(client: Client, user: User) -> None:
    User.objects.filter(pk=user.pk).update(password=make_password("Another password 77"))


def _row_deleted(client: Client, user: User) -> None:
    Session.objects.filter(pk=_key(client)).delete()


@pytest.mark.parametrize(
    "end", [_logged_out_elsewhere, _expired, _deactivated, _password_changed, _row_deleted]
)
def test_a_kept_status_page_honours_every_end_of_the_session(
    candidate: User, submitted: Application, end: Any
) -> None:
    client = client_of(candidate)
    kept(client, url(submitted))
    end(client, candidate)
    assert _signed_out(client, url(submitted))


def test_a_kept_status_page_honours_the_idle_limit(
    candidate: User, submitted: Application, clock: time_machine.Coordinates
) -> None:
    client = client_of(candidate)
    kept(client, url(submitted))
    clock.shift(dt.timedelta(days=30))
    response = client.get(url(submitted))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_rider_is_registered_for_the_status_page() -> None:
    assert session_riders.RIDERS[status_rider.RIDER.name] is status_rider.RIDER
