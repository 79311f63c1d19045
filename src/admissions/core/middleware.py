"""Middleware of the whole site: a strict Content-Security-Policy, the language (the API's
its own), a limit on uploads, a page to try again in a moment when object storage is down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import language_code_prefix_re

from admissions.core import ratelimit
from admissions.core.outages import is_storage_outage
from admissions.core.views import storage_unavailable, too_many_requests

logger = logging.getLogger(__name__)

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


API_PREFIX = "/api/"


# A path's first segment -> the language it names, None if none: what
# `translation.get_language_from_path` answers for every path starting with it. Django keeps
# the answers for supported languages only; a segment naming none (every French page's,
# "me", "bench") was worked out again on each request, its refusal raised and caught.
PATH_LANGUAGES: dict[str, str | None] = {}
# Segments are the client's: at most this many kept, all dropped when full.
PATH_LANGUAGES_ENTRIES = 128
# What the answer depends on besides the segment (Django's own caches are emptied with them).
_LANGUAGE_SETTINGS = frozenset({"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N"})


@receiver(setting_changed)
def _languages_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _LANGUAGE_SETTINGS:
        PATH_LANGUAGES.clear()


def language_from_path(path: str) -> str | None:
    """`translation.get_language_from_path(path)`, kept by the path's first segment."""
    found = language_code_prefix_re.match(path)
    if found is None:
        return None
    segment = found[1]
    try:
        return PATH_LANGUAGES[segment]
    except KeyError:
        pass
    language = translation.get_language_from_path(path)
    if len(PATH_LANGUAGES) >= PATH_LANGUAGES_ENTRIES:
        PATH_LANGUAGES.clear()
    PATH_LANGUAGES[segment] = language
    return language


def _path_decides(request: HttpRequest) -> bool:
    """Whether the path alone gives the request's language in Django's LocaleMiddleware:
    under i18n_patterns(prefix_default_language=False), a prefixed path takes its prefix's
    language and an unprefixed one LANGUAGE_CODE, whatever the cookie or the header say."""
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    used, prefixed_default = is_language_prefix_patterns_used(urlconf)
    return used and not prefixed_default


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, without reading the cookie and the header for a choice the path already
    made: the site's pages are under i18n_patterns(prefix_default_language=False), where a
    path takes the language of its prefix and an unprefixed one (the API's, whose language
    ApiLanguageMiddleware then decides) LANGUAGE_CODE, whatever the cookie or the header
    say. The response is marked as Django marks it (no redirection of a 404 to a prefixed
    address there: the default language has none). With any other URLconf, Django's."""

    def process_request(self, request: HttpRequest) -> None:
        if not _path_decides(request):
            return super().process_request(request)
        path = request.path_info
        language = language_from_path(path)
        # The response reads the path's language again: kept for the same path.
        request._path_language = (path, language)  # type: ignore[attr-defined]
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        # What `get_language()` gives right after `activate(language)`.
        request.LANGUAGE_CODE = translation.to_language(language)
        return None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not _path_decides(request):
            return super().process_response(request, response)
        path = request.path_info
        kept = getattr(request, "_path_language", None)
        language = kept[1] if kept is not None and kept[0] == path else language_from_path(path)
        if language is None:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def language_from_header(header: str) -> str | None:
    """The supported language the client prefers most in an Accept-Language header, if any."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _sep, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    for _quality, _position, tag in sorted(ranked):
        try:
            return translation.get_supported_language_variant(tag.lower())
        except LookupError:
            continue
    return None


class ApiLanguageMiddleware:
    """The API answers in the language the client asks for.

    LocaleMiddleware cannot do it: the API's URLs carry no language prefix, and unprefixed URLs
    under i18n_patterns(prefix_default_language=False) always fall back to LANGUAGE_CODE. So
    under /api/ the Accept-Language header decides, then the signed-in user's preferred
    language, then French. The user is known only once AuthenticationMiddleware has run, hence
    the second look in process_view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        # The header as Django keeps it: `request.headers` would copy them all first.
        asked = language_from_header(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        request.api_language_asked = asked  # type: ignore[attr-defined]
        before = translation.get_language()
        self._activate(request, asked or settings.LANGUAGE_CODE)
        try:
            response = self.get_response(request)
            response.headers["Content-Language"] = (
                translation.get_language() or settings.LANGUAGE_CODE
            )
        finally:
            # The thread serves other requests next, and not all of them activate a language.
            translation.activate(before)
        patch_vary_headers(response, ("Accept-Language",))
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        if not request.path_info.startswith(API_PREFIX) or getattr(
            request, "api_language_asked", None
        ):
            return
        user = getattr(request, "user", None)
        preferred = getattr(user, "preferred_language", "") if user is not None else ""
        if user is not None and user.is_authenticated and preferred:
            try:
                self._activate(request, translation.get_supported_language_variant(preferred))
            except LookupError:
                return

    @staticmethod
    def _activate(request: HttpRequest, language: str) -> None:
        translation.activate(language)
        request.LANGUAGE_CODE = language


UPLOAD_METHODS = frozenset({"POST", "PUT", "PATCH"})


class UploadRateLimitMiddleware:
    """At most UPLOADS_PER_HOUR multipart requests per person (or client address) in an
    hour, on every page and API operation that takes files: each file is scanned, parsed and
    stored, the costliest request a visitor can make. Judged from the headers, before the
    body is read (the upload views cut an over-size file while it arrives, which reading it
    here would defeat), so a message, whose form takes attachments, counts too. Needs the
    signed-in user: after AuthenticationMiddleware and the API's token."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(getattr(settings, "UPLOADS_PER_HOUR", 0))
        if (
            limit > 0
            and request.method in UPLOAD_METHODS
            and request.content_type == "multipart/form-data"
        ):
            wait = ratelimit.hit("uploads", ratelimit.who(request), limit=limit, seconds=3600)
            if wait is not None:
                return too_many_requests(request, retry_after=wait)
        return self.get_response(request)


class OutageMiddleware:
    """A service the platform leans on did not answer (object storage): a page in the
    reader's language saying to try again in a moment, or the API's JSON error, not a server
    error. The request's transaction was rolled back with the error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_storage_outage(exception):
            return None
        logger.warning("document storage unavailable: %s", exception)
        return storage_unavailable(request)
