"""A path's view kept once found: the same match as Django's resolver gives, in the language
and with the URLconf of each request, and each request's own copy of it."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler as DjangoWSGIHandler
from django.http import HttpRequest
from django.urls import (
    Resolver404,
    ResolverMatch,
    clear_url_caches,
    get_resolver,
    get_urlconf,
    set_urlconf,
)
from django.utils import translation

from admissions.core import resolution
from tests.test_startup import run_in_a_worker

PATHS = [
    "/",
    "/en/",
    "/me/",
    "/en/me/",
    "/me/applications/NE-2024-000123/status/",
    "/en/me/applications/NE-2024-000123/status/",
    "/me/applications/NE-2024-000123/interview/book/",
    "/me/applications/new/3/41/",
    "/me/profile/education/7/delete/",
    "/messages/file/0f3e4b62-6a7e-4c1e-9f5e-3b1c2d4e5f60/",
    "/office/",
    "/healthz",
    "/api/v1/eligibility/check",
    "/accounts/login/",
]
# A URLconf of Django's without language prefixes.
OTHER_URLCONF = "django.conf.urls.i18n"


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    resolution.FOUND.clear()
    yield
    resolution.FOUND.clear()


def values(match: ResolverMatch) -> dict[str, Any]:
    # The patterns tried before the match: kept only with DEBUG on (test below).
    return {name: value for name, value in vars(match).items() if name != "tried"}


def djangos(path: str, language: str, urlconf: str | None = None) -> dict[str, Any] | None:
    with translation.override(language):
        try:
            return values(get_resolver(urlconf).resolve(path))
        except Resolver404:
            return None


def kept(path: str, language: str, urlconf: str | None = None) -> dict[str, Any] | None:
    with translation.override(language):
        try:
            return values(resolution.resolve(get_resolver(urlconf), path))
        except Resolver404:
            return None


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_match_is_djangos_found_and_kept(path: str, language: str) -> None:
    expected = djangos(path, language)
    assert kept(path, language) == expected
    # Again, from what was kept.
    assert kept(path, language) == expected


@pytest.mark.parametrize("debug", [False, True])
def test_the_patterns_tried_are_kept_for_the_debug_page_only(debug: bool, settings: Any) -> None:
    settings.DEBUG = debug
    path = "/me/applications/NE-2024-000123/status/"
    with translation.override("fr"):
        djangos_tried = get_resolver().resolve(path).tried
        for _ in range(2):
            tried = resolution.resolve(get_resolver(), path).tried
            assert tried == (djangos_tried if debug else None)
    assert djangos_tried


def test_a_kept_match_is_found_in_its_language_only() -> None:
    # A prefixed path matches while its language is active, and is a 404 in the other.
    path = "/en/me/applications/NE-2024-000123/status/"
    assert kept(path, "en") is not None
    assert djangos(path, "fr") is None
    assert kept(path, "fr") is None
    # An unprefixed path is the default language's.
    assert kept("/me/", "fr") is not None
    assert kept("/me/", "en") == djangos("/me/", "en")


def test_each_request_has_its_own_copy() -> None:
    path = "/me/applications/NE-2024-000123/status/"
    expected = djangos(path, "fr")
    assert expected is not None
    with translation.override("fr"):
        first = resolution.resolve(get_resolver(), path)
        first.kwargs["reference"] = "changed"
        first.captured_kwargs["reference"] = "changed"
        first.app_names.append("changed")
        first.namespaces.append("changed")
        second = resolution.resolve(get_resolver(), path)
    assert second is not first
    assert second.kwargs == {"reference": "NE-2024-000123"}
    assert values(second) == expected


def test_404s_are_not_kept() -> None:
    with translation.override("fr"), pytest.raises(Resolver404):
        resolution.resolve(get_resolver(), "/nowhere/")
    assert resolution.FOUND == {}


def test_at_most_entries_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolution, "ENTRIES", 3)
    paths = [f"/me/applications/NE-2024-00012{n}/status/" for n in range(5)]
    for path in paths:
        kept(path, "fr")
        assert len(resolution.FOUND) <= 3
    assert kept(paths[0], "fr") == djangos(paths[0], "fr")


def test_another_urlconf_meets_its_own_matches() -> None:
    # The same path is a view in one URLconf and a 404 in the other.
    assert kept("/setlang/", "fr", OTHER_URLCONF) == djangos("/setlang/", "fr", OTHER_URLCONF)
    assert kept("/setlang/", "fr", OTHER_URLCONF) is not None
    assert kept("/setlang/", "fr") is None
    assert djangos("/setlang/", "fr") is None


def test_urls_made_again_are_resolved_again() -> None:
    before = get_resolver()
    kept("/me/", "fr")
    clear_url_caches()
    after = get_resolver()
    assert after is not before
    assert kept("/me/", "fr") == djangos("/me/", "fr")
    assert {key[0] for key in resolution.FOUND} == {before, after}


@pytest.fixture
def urlconf_restored() -> Iterator[None]:
    """The thread's URLconf as it was: a request's own is set by the handler's resolution and
    put back only by the request's end, which no request here reaches."""
    yield
    set_urlconf(None)


@pytest.mark.usefixtures("urlconf_restored")
def test_the_handler_takes_the_request_urlconf() -> None:
    handler = resolution.WSGIHandler()
    request = HttpRequest()
    request.path_info = "/setlang/"
    request.urlconf = OTHER_URLCONF  # type: ignore[attr-defined]
    with translation.override("fr"):
        match = handler.resolve_request(request)
    assert match.url_name == "set_language"
    assert get_urlconf() == OTHER_URLCONF
    assert request.resolver_match is match
    request = HttpRequest()
    request.path_info = "/setlang/"
    with translation.override("fr"), pytest.raises(Resolver404):
        handler.resolve_request(request)


def test_the_site_is_served_by_the_handler(tmp_path: Path) -> None:
    script = (
        "from admissions.wsgi import application\n"
        "from admissions.core.resolution import WSGIHandler\n"
        "print(type(application) is WSGIHandler)"
    )
    assert run_in_a_worker(script, tmp_path) == "True"


def call(handler: Any, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    answer: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.extend([status, headers])

    body = handler(environ, start_response)
    content = b"".join(body)
    body.close()
    # What differs from one answer to the next: the time, the page's new CSRF token.
    varies = {"Set-Cookie", "Expires", "Content-Length"}
    headers = [(name, value) for name, value in answer[1] if name not in varies]
    return answer[0], sorted(headers), content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/eligibility/", "/en/eligibility/", "/nowhere/"])
def test_answers_are_djangos(path: str) -> None:
    mine = resolution.WSGIHandler()
    django_handler = DjangoWSGIHandler()
    for _ in range(2):
        assert call(mine, path)[:2] == call(django_handler, path)[:2]
