"""A URLconf with what the site's own does not have, for tests/core/test_url_index.py: regular
expressions (literal, repeated, alternated, unanchored, positional), default arguments at
each level, nested namespaces, a translated route, a resolver and a pattern with their own
`resolve`, the language prefix in every language."""

from __future__ import annotations

from typing import Any

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.urls.resolvers import RegexPattern
from django.utils.translation import gettext_lazy as _


def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("view")


def other(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return HttpResponse("other")


class Sideways(URLResolver):
    """A resolver with a `resolve` of its own: its patterns seen from a path reversed."""

    def resolve(self, path: Any) -> Any:
        return super().resolve(str(path)[::-1])


class Loud(URLPattern):
    """A pattern with a `resolve` of its own."""

    def resolve(self, path: str) -> Any:
        found = super().resolve(path.lower())
        if found is not None:
            found.kwargs["loud"] = True
        return found


INNER = (
    [
        path("leaf/<int:n>/", view, {"level": "leaf"}, name="leaf"),
        re_path(r"^(\d+)/(\d+)/$", view, name="positional"),
        re_path(r"^(?P<year>[0-9]{4})/(\d+)/$", view, name="mixed"),
        path("", other, name="index"),
    ],
    "inner",
)
OUTER = (
    [
        path("deep/<slug:s>/", include(INNER, namespace="inner"), {"level": "deep"}),
        re_path(r"^pos/(\d+)/", include(INNER, namespace="pos")),
        path("<str:anything>/", view, name="any"),
    ],
    "outer",
)

urlpatterns = [
    path("exact", view, name="exact"),
    path("exact/", other, name="exact_slash"),
    re_path(r"^regex/ab?c/$", view, name="optional"),
    re_path(r"^regex/(?P<a>x|y)/$", view, name="alternated_group"),
    re_path(r"^alt/one/$|^alt/two/$", view, name="alternated"),
    re_path(r"loose/$", view, name="unanchored"),
    re_path(r"^a{2}b/$", view, name="repeated"),
    re_path(r"^dots/.+/$", view, name="dots"),
    path("kw/<int:n>/", include(OUTER, namespace="outer"), {"top": 1}),
    path("pre<int:n>fix/", view, name="prefix_in_segment"),
    path("pre", view, name="pre"),
    Sideways(RegexPattern(r"^side/"), [path("/edis", view, name="sideways")]),
    Loud(path("loud/<int:n>/", view).pattern, view, name="loud"),
    path("<path:rest>", other, name="catch_all_below"),
]
urlpatterns = [
    *i18n_patterns(
        path(_("translated/"), view, name="translated"),
        path("local/<int:n>/", include(OUTER, namespace="local")),
        prefix_default_language=True,
    ),
    path("root/", include(urlpatterns)),
    *urlpatterns[:-1],
    *i18n_patterns(path("free/", view, name="free"), prefix_default_language=False),
]
