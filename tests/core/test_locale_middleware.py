"""The site's LocaleMiddleware does under /api/ exactly what Django's does there, without
reading the cookie, the header and the path; elsewhere it is Django's."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory
from django.utils import translation

from admissions.core.middleware import LocaleMiddleware

REQUESTS = [
    ("/api/v1/eligibility/check", {}, 200),
    ("/api/v1/eligibility/check", {"HTTP_ACCEPT_LANGUAGE": "en"}, 200),
    ("/api/v1/applications", {"HTTP_COOKIE": "django_language=en"}, 200),
    ("/api/v1/nowhere", {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}, 404),
    ("/api/en/v1/", {"HTTP_ACCEPT_LANGUAGE": "en"}, 404),
    ("/en/", {"HTTP_ACCEPT_LANGUAGE": "en"}, 200),
    ("/", {"HTTP_ACCEPT_LANGUAGE": "en", "HTTP_COOKIE": "django_language=en"}, 200),
    ("/nowhere/", {"HTTP_ACCEPT_LANGUAGE": "en"}, 404),
]


def through(middleware_class: type, path: str, headers: dict[str, str], status: int) -> Any:
    request = RequestFactory().get(path, **headers)  # type: ignore[arg-type]
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponseBase:
        seen["active"] = translation.get_language()
        seen["request"] = request.LANGUAGE_CODE
        return HttpResponse("x", status=status)

    with translation.override("en" if "/en/" in path else "fr"):
        response = middleware_class(view)(request)
        after = translation.get_language()
    return seen, after, response.status_code, sorted(response.items())


@pytest.mark.parametrize(("path", "headers", "status"), REQUESTS)
def test_the_same_as_djangos(path: str, headers: dict[str, str], status: int) -> None:
    assert through(LocaleMiddleware, path, headers, status) == through(
        DjangoLocaleMiddleware, path, headers, status
    )
