"""A path's match found trying only the patterns that could take it (core/url_index.py): the
same match as Django's resolver on every path of the site's URLconf and of one with what the
site's has not, in each language; Django's own 404 for a path no pattern takes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import translation

from admissions.core import url_index

TEST_URLCONF = "tests.core.url_index_urls"
SAMPLES = {
    "int": ["7", "0", "123456"],
    "slug": ["a-b", "x"],
    "str": ["x", "a.b"],
    "uuid": [str(uuid.UUID(int=5))],
    "path": ["a/b", "z"],
    "reference": ["NE-2024-000123", "AB-1999-1234567"],
}
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def routes(resolver: URLResolver, above: str = "") -> Iterator[str]:
    """Every route of the URLconf, joined from the root, its parameters as written."""
    for pattern in resolver.url_patterns:
        text = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield above + text
            yield from routes(pattern, above + text)
        else:
            yield above + text


def sample(parameter: re.Match[str], first: bool) -> str:
    samples = SAMPLES.get(parameter["converter"] or "str", ["x"])
    return samples[0] if first else samples[-1]


def paths(resolver: URLResolver) -> list[str]:
    """Paths made from every route (each parameter given its converter's samples) and
    from them: one character more or fewer, another slash, a segment more, upper case."""
    made: set[str] = set()
    for route in set(routes(resolver)):
        route = route.replace("^", "").replace("$", "")
        if "\\" in route or "(" in route or "[" in route:
            continue
        for first in (True, False):
            made.add(PARAMETER.sub(lambda m, first=first: sample(m, first), route))
    found = set()
    for made_path in made:
        for variant in (
            made_path,
            made_path + "x",
            made_path[:-1],
            made_path + "/",
            made_path + "more/",
            made_path.upper(),
            "en/" + made_path,
            "fr/" + made_path,
        ):
            found.add("/" + variant)
    return [
        *sorted(found),
        "",
        "/",
        "//",
        "/regex/ac/",
        "/regex/abc/",
        "/regex/abbc/",
        "/regex/x/",
        "/regex/z/",
        "/alt/one/",
        "/alt/two/",
        "/somewhere/loose/",
        "/aab/",
        "/ab/",
        "/dots/a.b/",
        "/kw/3/deep/s-1/leaf/4/",
        "/kw/3/deep/s-1/12/34/",
        "/kw/3/deep/s-1/2024/34/",
        "/kw/3/pos/9/12/34/",
        "/kw/3/pos/9/2024/34/",
        "/kw/3/pos/9/",
        "/kw/3/pos/x/",
        "/root/kw/3/pos/9/leaf/1/",
        "/en/local/5/deep/s/leaf/6/",
        "/fr/local/5/deep/s/",
        "/side/sidewaysedis/",
        "/side//edis",
        "/side/",
        "/LOUD/5/",
        "/loud/5/",
        "/pre5fix/",
        "/prefix/",
        "/pre",
        "/pref",
        "/me/applications/NE-2024-000123/status/",
        "/en/me/applications/NE-2024-000123/status/",
        "/me/applications/ne-2024-000123/status/",
    ]


def djangos(resolver: URLResolver, path: str) -> Any:
    try:
        found = resolver.resolve(path)
    except Resolver404 as error:
        return ("404", repr(error.args))
    return {name: value for name, value in vars(found).items() if name != "tried"}


def indexed(resolver: URLResolver, path: str, language: str) -> Any:
    try:
        found = url_index.resolve(resolver, path, language)
    except Resolver404 as error:
        return ("404", repr(error.args))
    assert found.tried is None
    return {name: value for name, value in vars(found).items() if name != "tried"}


@pytest.mark.parametrize("urlconf", [None, TEST_URLCONF])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_path_has_django_s_match_or_404(urlconf: str | None, language: str) -> None:
    resolver = get_resolver(urlconf)
    with translation.override(language):
        every = paths(resolver)
        assert len(every) > 300
        matched = 0
        for path in every:
            expected = djangos(resolver, path)
            assert indexed(resolver, path, language) == expected, path
            # Once more: the levels are then made.
            assert indexed(resolver, path, language) == expected, path
            matched += isinstance(expected, dict)
        assert matched > 100


def test_the_match_s_parts_are_django_s_in_their_order() -> None:
    resolver = get_resolver(TEST_URLCONF)
    with translation.override("en"):
        for path in ("/kw/3/deep/s-1/leaf/4/", "/kw/3/pos/9/12/34/", "/en/local/5/deep/s/"):
            ours = url_index.resolve(resolver, path, "en")
            theirs = resolver.resolve(path)
            assert list(ours.kwargs.items()) == list(theirs.kwargs.items())
            assert list(ours.extra_kwargs.items()) == list(theirs.extra_kwargs.items())
            assert ours.args == theirs.args
            assert (ours.view_name, ours.app_name, ours.namespace, ours.route) == (
                theirs.view_name,
                theirs.app_name,
                theirs.namespace,
                theirs.route,
            )
        ours = url_index.resolve(resolver, "/kw/3/deep/s-1/leaf/4/", "en")
        assert ours.kwargs == {"n": 4, "s": "s-1", "top": 1, "level": "leaf"}
        assert ours.namespaces == ["outer", "inner"]


def test_with_debug_on_the_match_is_django_s_with_the_patterns_tried(settings: Any) -> None:
    settings.DEBUG = True
    resolver = get_resolver()
    path = "/me/applications/NE-2024-000123/status/"
    with translation.override("fr"):
        ours = url_index.resolve(resolver, path, "fr")
        assert ours.tried is not None
        assert repr(ours.tried) == repr(resolver.resolve(path).tried)


def texts(resolver: URLResolver, path: str) -> list[str]:
    level = url_index.Level(resolver)
    return [str(entry[1].pattern) for entry in level.candidates(path)]


def test_only_the_patterns_that_could_take_the_path_are_tried() -> None:
    root = get_resolver()
    with translation.override("fr"):
        # At the root, a candidate's page is tried against the language prefix only.
        assert texts(root, "me/applications/NE-2024-000123/status/") == [""]
        assert texts(root, "healthz") == ["healthz", ""]
        assert "api/v1/" in texts(root, "api/v1/eligibility/check")
        assert "accounts/" not in texts(root, "api/v1/eligibility/check")
    with translation.override("en"):
        assert texts(root, "me/") == []
        assert texts(root, "en/me/") == ["en/"]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (RoutePattern("me/applications/<int:n>/"), "me/applications/"),
        (RoutePattern("healthz", is_endpoint=True), "healthz"),
        (RoutePattern("<int:n>/"), ""),
        (RoutePattern("a<b/"), "a"),
        (RegexPattern(r"^regex/ab?c/$"), "regex/a"),
        (RegexPattern(r"^a{2}b/$"), ""),
        (RegexPattern(r"^aa{2}b/$"), "a"),
        (RegexPattern(r"^dots/.+/$"), "dots/"),
        (RegexPattern(r"^alt/one/$|^alt/two/$"), ""),
        (RegexPattern(r"loose/$"), ""),
        (RegexPattern(r"^ab*"), "a"),
        (LocalePrefixPattern(prefix_default_language=True), "fr/"),
        (LocalePrefixPattern(prefix_default_language=False), ""),
    ],
)
def test_the_literal_text_is_read_from_the_pattern(pattern: Any, text: str) -> None:
    with translation.override("fr"):
        assert url_index.literal_text(pattern) == text


def test_a_pattern_of_another_kind_is_tried_for_every_path() -> None:
    resolver = get_resolver(TEST_URLCONF).url_patterns
    root_kinds = {type(p) for p in resolver}
    assert URLPattern in root_kinds
    level = url_index.Level(get_resolver(TEST_URLCONF))
    with translation.override("fr"):
        for path in ("side/x", "nothing/", "", "loud/5/"):
            kinds = {type(entry[1]).__name__ for entry in level.candidates(path)}
            assert {"Sideways", "Loud"} <= kinds
