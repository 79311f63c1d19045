"""The view of a path, found once and kept for the next request to the same path.

Django resolves every request's path through every level of the URLconf: the site's root,
the language prefix, the candidate's pages, a file's pages. Each level matches its pattern,
tries its patterns in turn and makes a match of its own (about 58 µs for a kept status
page, 6 % of the worker's CPU for it; 8 µs kept). A page looked at over and over (a
candidate's status page, reloaded) asks for the same path each time, and the answer depends
only on the resolver, the path and the active language (a language prefix matches in its own
language only, a translated route reads its language's text): the match found is kept under
those three, and each request gets its own copy of it (its arguments' dictionaries included,
which a middleware's `process_view` may change).

A path not kept is resolved trying only the patterns that could take it, its match made
once (`core/url_index.py`). Only matches are kept, never a 404 (unknown paths cost nothing
to keep), at most `ENTRIES` of them, emptied when full. A match carries the patterns tried
before it (`tried`, about 1.3 KB of its 2.2), read only by Django's debug page for a 404
raised by a view: with DEBUG off a kept match holds none (None, as a match Django makes
without them), which spares their memory (0.7 MiB at the bound) and their copy on every
request. Another URLconf
(`request.urlconf`, or the resolvers Django makes again after `clear_url_caches`) is another
resolver, and never meets the matches of the first.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.handlers import wsgi
from django.http import HttpRequest
from django.urls import ResolverMatch, get_resolver, set_urlconf
from django.utils.translation import get_language

from admissions.core import url_index

ENTRIES = 512
FOUND: dict[tuple[Any, str | None, str], ResolverMatch] = {}


def copy_of(match: ResolverMatch) -> ResolverMatch:
    """A match of its own for one request: the same values, its own dictionaries (arguments,
    captured and extra) and lists (applications, namespaces, patterns tried)."""
    found = ResolverMatch.__new__(ResolverMatch)
    found.__dict__.update(
        {
            name: dict(value)
            if type(value) is dict
            else list(value)
            if type(value) is list
            else value
            for name, value in match.__dict__.items()
        }
    )
    return found


def resolve(resolver: Any, path: str) -> ResolverMatch:
    """`resolver.resolve(path)`, kept per resolver, language and path."""
    language = get_language()
    key = (resolver, language, path)
    found = FOUND.get(key)
    if found is None:
        found = url_index.resolve(resolver, path, language)
        if not settings.DEBUG:
            found.tried = None
        if len(FOUND) >= ENTRIES:
            FOUND.clear()
        FOUND[key] = found
    return copy_of(found)


class KeptResolution:
    """Django's `resolve_request`, the match kept by `resolve`."""

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        if hasattr(request, "urlconf"):
            urlconf = request.urlconf
            set_urlconf(urlconf)
            resolver = get_resolver(urlconf)
        else:
            resolver = get_resolver()
        resolver_match = resolve(resolver, request.path_info)
        request.resolver_match = resolver_match
        return resolver_match


class WSGIHandler(KeptResolution, wsgi.WSGIHandler):
    """Django's WSGI handler, each path's match kept."""
