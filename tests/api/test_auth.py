"""The API's authenticators: a bearer token is the one the middleware found (it read the
header and refused an unknown token), so the operation's check does not read the headers
again."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import RequestFactory

from admissions.api.auth import token_auth


def test_the_token_is_the_one_the_middleware_found_without_reading_the_headers() -> None:
    owner = object()
    request = RequestFactory().get("/api/v1/applications", HTTP_AUTHORIZATION="Bearer adm_x")
    request.api_token = SimpleNamespace(user=owner)  # type: ignore[attr-defined]
    assert token_auth(request) is owner
    request.api_token = None  # type: ignore[attr-defined]
    assert token_auth(request) is None
    # `request.headers` copies every header when first read, and keeps the copy.
    assert "headers" not in request.__dict__
