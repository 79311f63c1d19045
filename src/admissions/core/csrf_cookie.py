"""Django's CSRF middleware, the cookie's expiry date written once a second.

Each answer that shows a form sends the CSRF cookie again, its expiry a year on (Django's
`_set_csrf_cookie`, through `set_cookie`): the date is formatted anew each time (`http_date`,
about 5 µs of a kept status page's 0.75 ms). Every answer of the same second gets the same
text, so it is kept for its second and given to `set_cookie` as the date it would have
written: the cookie sent is the same, to the letter.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware import csrf
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

# (the second, its date as a cookie's expiry) last written.
_last: tuple[int, str] = (-1, "")
# `http_date` reads the moment to the microsecond, then drops the fraction: a moment this
# close to the next second may be rounded up to it, and is formatted as Django formats it.
_NEAR_NEXT_SECOND = 0.999


def expiry_date(moment: float) -> str:
    """`http_date(moment)`, kept for the second."""
    global _last
    second = int(moment)
    if moment < 0 or moment - second >= _NEAR_NEXT_SECOND:
        return http_date(moment)
    kept_second, text = _last
    if kept_second != second:
        text = http_date(second)
        _last = (second, text)
    return text


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    def _set_csrf_cookie(self, request: HttpRequest, response: HttpResponseBase) -> None:
        max_age = settings.CSRF_COOKIE_AGE
        if settings.CSRF_USE_SESSIONS or type(max_age) is not int:
            super()._set_csrf_cookie(request, response)  # type: ignore[misc]
            return
        # Django's call, the date it would have written given with it.
        response.set_cookie(
            settings.CSRF_COOKIE_NAME,
            request.META["CSRF_COOKIE"],
            max_age=max_age,
            expires=expiry_date(time.time() + max_age),
            domain=settings.CSRF_COOKIE_DOMAIN,
            path=settings.CSRF_COOKIE_PATH,
            secure=settings.CSRF_COOKIE_SECURE,
            httponly=settings.CSRF_COOKIE_HTTPONLY,
            samesite=settings.CSRF_COOKIE_SAMESITE,
        )
        patch_vary_headers(response, ("Cookie",))
