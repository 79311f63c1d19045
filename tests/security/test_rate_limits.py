"""Rate limits on log-in, sign-up, password reset, uploads and the API: past the limit, a 429
that says to wait, in the reader's language (JSON for the API and the upload script), counted
in the configured cache."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.fixtures import Settings

from admissions.applications.models import Application
from admissions.documents.models import DocumentVersion
from admissions.people.models import User
from tests.accounts.conftest import PASSWORD, verified_user
from tests.documents import corpus
from tests.documents.conftest import documents_section
from tests.factories import IN_NORD_CAMPAIGN, draft, eligible_candidate, load_preset

pytestmark = pytest.mark.django_db

FRENCH = "Trop de tentatives en peu de temps."
ENGLISH = "Too many attempts in a short time."


def _is_429_page(response: object, words: str) -> None:
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/html")  # type: ignore[index]
    assert int(response["Retry-After"]) >= 1  # type: ignore[index]
    assert words in response.content.decode()  # type: ignore[attr-defined]


def test_log_in_attempts_are_limited_per_address(settings: Settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    verified_user()
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"login": "amina@example.org", "password": "Wrong 1234"})

    # Even the right password waits: the limit counts attempts, not failures.
    answer = client.post("/accounts/login/", {"login": "amina@example.org", "password": PASSWORD})

    _is_429_page(answer, FRENCH)


def test_sign_ups_are_limited_per_address(settings: Settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    client = Client()
    for number in range(2):
        answer = client.post(
            "/en/accounts/signup/",
            {"email": f"person{number}@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert answer.status_code == 302
        client.logout()

    answer = client.post(
        "/en/accounts/signup/",
        {"email": "person9@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )

    _is_429_page(answer, ENGLISH)
    assert not User.objects.filter(email="person9@example.org").exists()


@pytest.mark.parametrize("address", ["amina@example.org", "nobody@example.org"])
def test_password_resets_are_limited_per_address_typed_whether_it_has_an_account(
    settings: Settings, address: str
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "reset_password": "20/m/ip,2/m/key",
    }
    verified_user()
    for _ in range(2):
        sent = Client().post("/en/accounts/password/reset/", {"email": address})
        assert sent.status_code == 302

    answer = Client().post("/en/accounts/password/reset/", {"email": address})

    _is_429_page(answer, ENGLISH)


@pytest.fixture
def candidate_file() -> Iterator[Application]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        campaign = load_preset("imt-nord-europe", edit=documents_section)
        yield draft(eligible_candidate(), campaign)


def _upload(client: Client, application: Application, **headers: str) -> object:
    # The page in French, the site's language, whatever language an earlier request left active.
    with translation.override("fr"):
        url = reverse("documents:upload", args=[application.reference, "cv"])
    data = {"file": io.BytesIO(corpus.pdf()), "valid_until": ""}
    return client.post(url, data, headers=headers)


def test_uploads_are_limited_per_person(settings: Settings, candidate_file: Application) -> None:
    settings.UPLOADS_PER_HOUR = 2
    client = Client()
    client.force_login(candidate_file.candidate)
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        for _ in range(2):
            assert _upload(client, candidate_file).status_code == 302
        page = _upload(client, candidate_file)
        script = _upload(client, candidate_file, Accept="application/json")

        _is_429_page(page, FRENCH)
        assert script.status_code == 429
        assert script.json()["code"] == "throttled"
        assert script.json()["message"].startswith(FRENCH)
        assert DocumentVersion.objects.filter(document__application=candidate_file).count() == 2
        # Another person is not held back by the first one's uploads.
        other = draft(eligible_candidate(), candidate_file.campaign, candidate_file.programme)
        client.force_login(other.candidate)
        assert _upload(client, other).status_code == 302


def test_uploads_through_the_api_get_the_apis_json_429(
    settings: Settings, candidate_file: Application
) -> None:
    settings.UPLOADS_PER_HOUR = 1
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(candidate_file.candidate)
    url = f"/api/v1/documents/{candidate_file.reference}/cv"
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        first = client.post(url, {"file": io.BytesIO(corpus.pdf())})
        assert first.status_code == 201, first.content
        answer = client.post(url, {"file": io.BytesIO(corpus.pdf())})

    assert answer.status_code == 429
    assert answer.json()["code"] == "throttled"
    assert answer.json()["message"].startswith(ENGLISH)
    assert int(answer["Retry-After"]) >= 1


def test_the_limits_count_in_the_shared_cache(
    settings: Settings, candidate_file: Application, redis_server: str
) -> None:
    """With ADMISSIONS_CACHE_URL, every process counts the same uploads: two clients (as two
    processes would) share one count."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
        }
    }
    caches["default"].clear()
    settings.UPLOADS_PER_HOUR = 1
    first, second = Client(), Client()
    for client in (first, second):
        client.force_login(candidate_file.candidate)
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        assert _upload(first, candidate_file).status_code == 302
        assert _upload(second, candidate_file).status_code == 429
