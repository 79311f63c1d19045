"""Every failure of the API answers one JSON shape, `{code, message, details}`, in the
reader's language: what Django answers itself included."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.urls import path

from admissions import urls as site_urls
from admissions.catalog.models import Campaign
from admissions.people.models import User


def _crash(request: object) -> None:
    raise RuntimeError("a bug")


# The site's routes, and one that fails.
urlpatterns = [path("api/v1/crash", _crash), *site_urls.urlpatterns]


def _is_error(response: object, status: int, code: str) -> dict:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    body = json.loads(response.content)  # type: ignore[attr-defined]
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def test_an_unknown_path_is_a_json_404_in_the_readers_language(db: None) -> None:
    answer = Client().get("/api/v1/nowhere", HTTP_ACCEPT_LANGUAGE="en")
    assert _is_error(answer, 404, "not_found")["message"] == "Not found."
    answer = Client().get("/api/v1/nowhere", HTTP_ACCEPT_LANGUAGE="fr")
    assert _is_error(answer, 404, "not_found")["message"] != "Not found."


def test_a_method_not_allowed_is_a_json_405_naming_the_allowed_ones(db: None) -> None:
    answer = Client().put("/api/v1/eligibility/check", HTTP_ACCEPT_LANGUAGE="en")
    body = _is_error(answer, 405, "method_not_allowed")
    assert "POST" in body["details"]["allowed"]


def test_a_body_over_the_limit_is_refused_from_its_declared_length(
    db: None, settings: object
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # type: ignore[attr-defined]
    big = json.dumps({"x": "a" * 2000})
    answer = Client().post(
        "/api/v1/eligibility/check", big, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert _is_error(answer, 413, "body_too_large")["details"] == {"limit": 1000}


def test_malformed_json_is_a_json_400(db: None, api: Client) -> None:
    answer = api.post(
        "/api/v1/eligibility/check",
        "{not json",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    _is_error(answer, 400, "malformed_body")


def test_signed_out_is_a_json_401(db: None) -> None:
    _is_error(Client().get("/api/v1/applications"), 401, "not_authenticated")


def test_too_many_requests_is_a_json_429(db: None, settings: object) -> None:
    settings.API_RATE_PER_MINUTE = 3  # type: ignore[attr-defined]
    client = Client(REMOTE_ADDR="192.0.2.44")
    for _ in range(3):
        client.get("/api/v1/nowhere")
    answer = client.get("/api/v1/nowhere")
    _is_error(answer, 429, "throttled")
    # The seconds left in the minute that counted them.
    assert 1 <= int(answer["Retry-After"]) <= 60


@override_settings(ROOT_URLCONF="tests.api.test_errors")
def test_a_crash_is_a_json_500(db: None) -> None:
    client = Client(raise_request_exception=False)
    _is_error(client.get("/api/v1/crash"), 500, "server_error")


def test_a_refusal_of_csrf_is_json(candidate: User, nord: Campaign) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    answer = client.post("/api/v1/applications", {}, content_type="application/json")
    _is_error(answer, 403, "csrf_failed")


@pytest.mark.parametrize("length", ["abc", "-"])
def test_an_unreadable_content_length_is_refused(db: None, length: str) -> None:
    answer = Client().post(
        "/api/v1/eligibility/check", "{}", content_type="application/json", CONTENT_LENGTH=length
    )
    _is_error(answer, 400, "bad_request")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/catalogue/campaigns?institution=a%00b", None),
        ("/api/v1/eligibility/check", '{"institution": "a\\u0000b"}'),
    ],
)
def test_a_nul_character_is_refused_before_any_query(db: None, path: str, body: str | None) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answer = client.post(path, body, content_type="application/json") if body else client.get(path)
    assert _is_error(answer, 400, "nul_character")["message"].startswith("The request holds")
