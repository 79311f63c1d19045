"""The CSRF cookie sent again by the site's middleware is Django's, to the letter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware as DjangoCsrfViewMiddleware
from django.test import override_settings
from django.utils.http import http_date

from admissions.core import csrf_cookie

SECRET = "A" * 10 + "z" * 10 + "0123456789" + "Zq"
START = dt.datetime(2026, 12, 7, 19, 40, 0, tzinfo=dt.UTC).timestamp()


def _answer(middleware_class: type, session: dict[str, Any] | None = None) -> HttpResponse:
    request = HttpRequest()
    request.session = {} if session is None else session  # type: ignore[assignment]
    request.META["CSRF_COOKIE"] = SECRET
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    response = HttpResponse(b"page")
    response.headers["Vary"] = "Accept-Language"
    middleware_class(lambda request: response).process_response(request, response)
    return response


def _sent(response: HttpResponse) -> tuple[list[str], str | None]:
    cookies = [morsel.output(header="") for morsel in response.cookies.values()]
    return cookies, response.headers.get("Vary")


def test_the_site_uses_it() -> None:
    assert "admissions.core.csrf_cookie.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" not in settings.MIDDLEWARE


@pytest.mark.parametrize(
    "fraction", [0.0, 0.25, 0.5, 0.998, 0.9989, 0.999, 0.9995, 0.9999994, 0.9999996]
)
def test_the_cookie_and_vary_are_djangos_at_any_moment(fraction: float) -> None:
    for second in (0, 1, 59, 3600):
        with time_machine.travel(START + second + fraction, tick=False):
            ours, django = (
                _answer(csrf_cookie.CsrfViewMiddleware),
                _answer(DjangoCsrfViewMiddleware),
            )
            assert _sent(ours) == _sent(django)
            assert "expires=" in _sent(ours)[0][0]


@pytest.mark.parametrize(
    "changed",
    [
        {},
        {"CSRF_COOKIE_SECURE": True, "CSRF_COOKIE_DOMAIN": "example.org"},
        {"CSRF_COOKIE_SAMESITE": "Strict", "CSRF_COOKIE_HTTPONLY": False},
        {"CSRF_COOKIE_SAMESITE": None, "CSRF_COOKIE_PATH": "/app/"},
        {"CSRF_COOKIE_SAMESITE": False, "CSRF_COOKIE_NAME": "token"},
        {"CSRF_COOKIE_AGE": None},
        {"CSRF_COOKIE_AGE": 60},
        {"CSRF_COOKIE_AGE": 0},
    ],
)
def test_the_cookie_is_djangos_under_other_settings(changed: dict[str, Any]) -> None:
    with override_settings(**changed), time_machine.travel(START + 0.5, tick=False):
        assert _sent(_answer(csrf_cookie.CsrfViewMiddleware)) == _sent(
            _answer(DjangoCsrfViewMiddleware)
        )


def test_with_the_secret_in_the_session_no_cookie_as_django() -> None:
    with override_settings(CSRF_USE_SESSIONS=True):
        ours: dict[str, Any] = {}
        django: dict[str, Any] = {}
        assert _sent(_answer(csrf_cookie.CsrfViewMiddleware, ours)) == _sent(
            _answer(DjangoCsrfViewMiddleware, django)
        )
        assert ours == django != {}


def test_the_date_is_http_dates_kept_for_its_second() -> None:
    for moment in (START, START + 0.5, START + 0.998, START + 1, START + 0.9995, START + 0.9999996):
        assert csrf_cookie.expiry_date(moment) == http_date(moment)
    assert csrf_cookie.expiry_date(START + 7.25) == http_date(START + 7)
    assert csrf_cookie._last == (int(START + 7), http_date(START + 7))
    # A moment this close to the next second is not taken for the kept one.
    assert csrf_cookie.expiry_date(START + 7.9999996) == http_date(START + 7.9999996)
