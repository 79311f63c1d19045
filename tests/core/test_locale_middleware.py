"""The site's LocaleMiddleware does exactly what Django's does, without reading the cookie and
the header where the path decides (the site's URLconf), and Django's own way with another."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.test import RequestFactory, override_settings
from django.utils import translation

from admissions.core import middleware
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
    ("/me/", {"HTTP_COOKIE": "django_language=en", "HTTP_ACCEPT_LANGUAGE": "en"}, 200),
    ("/en/me/", {"HTTP_COOKIE": "django_language=fr", "HTTP_ACCEPT_LANGUAGE": "fr"}, 200),
    ("/en", {}, 200),
    ("/en/nowhere/", {"HTTP_ACCEPT_LANGUAGE": "fr"}, 404),
    ("/de/me/", {"HTTP_ACCEPT_LANGUAGE": "en"}, 404),
    ("/fr/me/", {"HTTP_COOKIE": "django_language=en"}, 404),
    ("/healthz", {"HTTP_ACCEPT_LANGUAGE": "en-GB"}, 200),
]
# A URLconf without i18n_patterns: the cookie and the header decide, as in Django's.
OTHER_URLCONF = "django.conf.urls.i18n"


def through(
    middleware_class: type,
    path: str,
    headers: dict[str, str],
    status: int,
    urlconf: str | None = None,
) -> Any:
    request = RequestFactory().get(path, **headers)  # type: ignore[arg-type]
    if urlconf is not None:
        request.urlconf = urlconf
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


@pytest.mark.parametrize(("path", "headers", "status"), REQUESTS)
def test_the_same_as_djangos_with_another_urlconf(
    path: str, headers: dict[str, str], status: int
) -> None:
    mine = through(LocaleMiddleware, path, headers, status, OTHER_URLCONF)
    assert mine == through(DjangoLocaleMiddleware, path, headers, status, OTHER_URLCONF)


def test_the_cookie_decides_with_another_urlconf() -> None:
    # The case above in which the path does not decide is met.
    seen, *_rest = through(
        LocaleMiddleware, "/me/", {"HTTP_COOKIE": "django_language=en"}, 200, OTHER_URLCONF
    )
    assert seen == {"active": "en", "request": "en"}


def test_the_path_decides_with_the_sites_urlconf() -> None:
    seen, _after, _status, headers = through(
        LocaleMiddleware, "/me/", {"HTTP_COOKIE": "django_language=en"}, 200
    )
    assert seen == {"active": "fr", "request": "fr"}
    assert ("Vary", "Accept-Language") in headers
    seen, _after, _status, headers = through(LocaleMiddleware, "/en/me/", {}, 200)
    assert seen == {"active": "en", "request": "en"}
    assert "Vary" not in dict(headers)


@pytest.mark.parametrize(("path", "moved_to"), [("/en/me/", "/me/"), ("/me/", "/en/me/")])
def test_a_path_changed_during_the_request_is_read_again(path: str, moved_to: str) -> None:
    # The response's headers follow the path as it is when the response passes, as Django's.
    def answers(middleware_class: type) -> list[tuple[str, str]]:
        def view(request: HttpRequest) -> HttpResponseBase:
            request.path_info = moved_to
            return HttpResponse("x")

        with translation.override("fr"):
            response = middleware_class(view)(RequestFactory().get(path))
        return sorted(response.items())

    assert answers(LocaleMiddleware) == answers(DjangoLocaleMiddleware)


PATHS = [
    "/",
    "",
    "/en",
    "/en/",
    "/en/me/applications/",
    "/fr/me/",
    "/EN/me/",
    "/en-gb/me/",
    "/en-GB/",
    "/en_GB/",
    "/en@latin/",
    "/de/me/",
    "/me/applications/BENCH-0000-000001/status/",
    "/bench/bare",
    "/healthz",
    "/api/v1/eligibility/check",
    "/é/",
    "//en/",
    "/fr-ca-x-y/",
]


def test_a_paths_language_is_djangos_found_then_kept() -> None:
    middleware.PATH_LANGUAGES.clear()
    for _ in range(2):
        for path in PATHS:
            assert middleware.language_from_path(path) == translation.get_language_from_path(path)
            assert middleware.language_from_path(path + "x/") == (
                translation.get_language_from_path(path + "x/")
            )
    assert middleware.PATH_LANGUAGES["me"] is None
    assert middleware.PATH_LANGUAGES["en"] == "en"


def test_the_kept_languages_follow_the_settings() -> None:
    def same() -> None:
        for path in PATHS:
            assert middleware.language_from_path(path) == translation.get_language_from_path(path)

    same()
    assert middleware.language_from_path("/de/me/") is None
    with override_settings(LANGUAGES=[("fr", "French"), ("de", "German")]):
        same()
        assert middleware.language_from_path("/de/me/") == "de"
    same()
    assert middleware.language_from_path("/de/me/") is None
    with override_settings(USE_I18N=False):
        same()
    same()


def test_the_kept_segments_are_bounded() -> None:
    middleware.PATH_LANGUAGES.clear()
    for number in range(middleware.PATH_LANGUAGES_ENTRIES * 3):
        middleware.language_from_path(f"/segment{number}/")
        assert len(middleware.PATH_LANGUAGES) <= middleware.PATH_LANGUAGES_ENTRIES
    assert middleware.language_from_path("/en/") == "en"
