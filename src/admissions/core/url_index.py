"""A path's match found by trying only the patterns that could take it, and made once.

Django's resolver tries each level's patterns in their order until one takes the path: at
the site's root, an address of the candidate's pages first fails the health check, the
language switch, the API's, the payment hooks' and the SAML pages' includes (each a
`Resolver404` raised and caught), and each level it goes through makes a match of its own
from the level below's (five for a file's status page). That is most of the 50 to 60 µs a
path not seen before costs (`core/resolution.py` keeps 512 matches; result day asks for
10,000 paths).

Here each resolver's patterns are indexed once (per language, as a route's text and the
language prefix are the language's) by the literal text each must find at the start of the
path, read from the pattern itself: a route's text before its first `<` (checked against
its compiled regular expression, which begins with it), a regular expression's literal
characters after its `^` (none if it has an alternation), the language prefix. A pattern of
any other kind, or a resolver with a `resolve` of its own, is tried for every path. A path
is only tried against the patterns whose text can begin it, found by the path's first
segment (its text up to its first `/`): a text with a `/` can only begin a path with the
same first segment, one without only a path whose first segment begins with it. They are
tried in their original order, each by its own `match`, so the pattern that takes the path
is the one Django's resolver finds; the others could not take it.

The match is then made once, from the parts each level would have given its own, joined as
Django's `URLResolver.resolve` joins them (arguments and keyword arguments merged level by
level, applications, namespaces, route, extra arguments). Its `tried` is None: Django reads
it only on its debug page, and with DEBUG on, the match is Django's own. A path no pattern
takes is resolved by Django's resolver, for its 404 and the patterns it tried.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.urls import Resolver404, ResolverMatch, URLPattern, URLResolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

# How a level's pattern is tried: a view's pattern by its match, a resolver's by its match
# and then its own patterns, anything else by its own `resolve`.
VIEW, LEVEL, OTHER = 0, 1, 2
# A resolver whose pattern is the language prefix: the text the level's language gives it.
LOCALE = 3
# Characters a regular expression reads as themselves, and those that repeat the one before.
_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-")
_REPEATS = frozenset("?*+{")

# [how it is tried, the pattern, its route, its literal text, its own patterns' level once
# gone through]
Entry = list[Any]


def literal_text(pattern: Any) -> str:
    """The text every path `pattern.match` takes begins with, in the active language ("" if
    that cannot be told from the pattern)."""
    kind = type(pattern)
    if kind is RoutePattern:
        route = str(pattern)
        cut = route.find("<")
        text = route if cut < 0 else route[:cut]
        return text if pattern.regex.pattern.startswith("^" + re.escape(text)) else ""
    if kind is RegexPattern:
        regex: str = pattern.regex.pattern
        if not regex.startswith("^") or "|" in regex:
            return ""
        end = 1
        while end < len(regex) and regex[end] in _LITERAL:
            end += 1
        if end < len(regex) and regex[end] in _REPEATS:
            end -= 1
        return regex[1:end]
    if kind is LocalePrefixPattern:
        return str(pattern.language_prefix)
    return ""


def segment(text: str) -> str:
    """`text` up to and including its first "/" (all of it if it has none)."""
    cut = text.find("/")
    return text if cut < 0 else text[: cut + 1]


class Level:
    """A resolver's patterns, by the first segment of the paths each could take."""

    def __init__(self, resolver: URLResolver) -> None:
        entries: list[tuple[str, Entry]] = []
        for pattern in resolver.url_patterns:
            if type(pattern) is URLPattern:
                kind = VIEW
            elif isinstance(pattern, URLResolver) and (
                type(pattern).resolve is URLResolver.resolve
            ):
                kind = LOCALE if type(pattern.pattern) is LocalePrefixPattern else LEVEL
            else:
                entries.append(("", [OTHER, pattern, "", "", None]))
                continue
            text = literal_text(pattern.pattern)
            entries.append((text, [kind, pattern, str(pattern.pattern), text, None]))
        self.without_slash = [(text, entry) for text, entry in entries if "/" not in text]
        self.by_segment = {
            first: [
                entry
                for text, entry in entries
                if (segment(text) == first if "/" in text else first.startswith(text))
            ]
            for first in {segment(text) for text, _ in entries if "/" in text}
        }

    def candidates(self, path: str) -> list[Entry]:
        """The patterns that could take `path`, in their order."""
        first = segment(path)
        found = self.by_segment.get(first)
        if found is None:
            found = [entry for text, entry in self.without_slash if first.startswith(text)]
        return found


# The root resolvers' levels, by resolver and language (a level's below it are found from
# its entries). Another URLconf, or the resolvers Django makes again after
# `clear_url_caches`, is another key: at most `ROOTS` of them, emptied when full.
ROOTS = 64
_roots: dict[tuple[URLResolver, Any, Any], Level] = {}


def root_level(resolver: URLResolver, language: tuple[Any, Any]) -> Level:
    key = (resolver, *language)
    found = _roots.get(key)
    if found is None:
        if len(_roots) >= ROOTS:
            _roots.clear()
        found = _roots[key] = Level(resolver)
    return found


# A level gone through: the resolver, its own pattern's positional and keyword arguments,
# and the route of the pattern of its that took the path ("" for a view's).
Through = tuple[Any, tuple[Any, ...], dict[str, Any], str]


def made(through: list[Through], sub: Any) -> ResolverMatch:
    """The match Django's resolvers make, level by level, of `sub` (the view's match: a
    match, or `URLPattern.resolve`'s parts) found through `through`."""
    given: Any = sub
    if isinstance(sub, ResolverMatch):
        parts: tuple[Any, ...] = (given.func, given.args, given.kwargs, given.url_name)
        parts += (given.route, given.captured_kwargs, given.extra_kwargs)
        parts += (given.app_names, given.namespaces)
    else:
        parts = (*given, [], [])
    func, args, kwargs, url_name, route, captured, extra, app_names, namespaces = parts
    for resolver, level_args, level_kwargs, child_route in reversed(through):
        merged = {**level_kwargs, **resolver.default_kwargs}
        merged.update(kwargs)
        if not merged:
            args = level_args + args
        kwargs = merged
        app_names = [resolver.app_name, *app_names]
        namespaces = [resolver.namespace, *namespaces]
        route = resolver._join_route(child_route, route)
        extra = {**resolver.default_kwargs, **extra}
    return ResolverMatch(
        func,
        args,
        kwargs,
        url_name,
        app_names,
        namespaces,
        route,
        None,
        captured_kwargs=captured,
        extra_kwargs=extra,
    )


def found_in(
    resolver: URLResolver,
    matched: Any,
    patterns: Level,
    through: list[Through],
) -> ResolverMatch | None:
    """The match below `resolver` (its `patterns`), whose pattern `matched` the path, or
    None."""
    path, level_args, level_kwargs = matched
    for entry in patterns.candidates(path):
        kind, pattern, route, text, below = entry
        if kind == OTHER:
            try:
                sub = pattern.resolve(path)
            except Resolver404:
                continue
            if sub:
                child_route = "" if isinstance(pattern, URLPattern) else str(pattern.pattern)
                return made([*through, (resolver, level_args, level_kwargs, child_route)], sub)
            continue
        if kind == LOCALE:
            # `LocalePrefixPattern.match`, its prefix the level's language's.
            match: Any = (path[len(text) :], (), {}) if path.startswith(text) else None
        else:
            match = pattern.pattern.match(path)
        if not match:
            continue
        if kind == VIEW:
            _, args, captured = match
            kwargs = {**captured, **pattern.default_args}
            view = (pattern.callback, args, kwargs, pattern.pattern.name, route, captured)
            return made(
                [*through, (resolver, level_args, level_kwargs, "")],
                (*view, pattern.default_args),
            )
        if below is None:
            below = entry[4] = Level(pattern)
        found = found_in(
            pattern,
            match,
            below,
            [*through, (resolver, level_args, level_kwargs, route)],
        )
        if found is not None:
            return found
    return None


def resolve(resolver: URLResolver, path: str, language: Any) -> ResolverMatch:
    """`resolver.resolve(path)` in the active language `language`, its `tried` None unless
    DEBUG is on."""
    if settings.DEBUG or type(resolver).resolve is not URLResolver.resolve:
        return resolver.resolve(path)
    path = str(path)
    matched = resolver.pattern.match(path)
    if matched:
        key = (language, settings.LANGUAGE_CODE)
        found = found_in(resolver, matched, root_level(resolver, key), [])
        if found is not None:
            return found
    return resolver.resolve(path)
