"""Views imported by their first request, for pages few web workers ever serve.

A URLconf that imports its views loads every page's code, with its forms and services,
into every web worker at start-up, though most workers never serve most pages (allauth's
SAML pages with lxml and xmlsec, the staff's finance, jury or report pages). A view here is
named by its dotted path and imported where it is first called; its route and name stay in
the URLconf, so resolving another address or reversing a name never loads it.
`tests/core/test_lazy_views.py` checks that every such view of the URLconf names a view
that exists, with the same CSRF exemption.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

View = Callable[..., HttpResponse]


def lazy(dotted: str, *, csrf_exempt: bool = False) -> View:
    """A view that imports the view at `dotted` when first called. Django reads a view's CSRF
    exemption before calling it, so it is stated here rather than read from the view."""
    loaded: list[View] = []

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not loaded:
            loaded.append(import_string(dotted))
        return loaded[0](request, *args, **kwargs)

    view.__name__ = view.__qualname__ = dotted.rpartition(".")[2]
    view.__module__ = dotted.rpartition(".")[0]
    view.loads = dotted  # type: ignore[attr-defined]  # for whoever inspects the views
    if csrf_exempt:
        view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


class Views:
    """The views of the module at `dotted`, each imported by its first request:
    `Views(dotted).name` is `lazy(f"{dotted}.name")`; `csrf_exempt` names the module's views
    that Django must not check."""

    def __init__(self, dotted: str, *, csrf_exempt: Collection[str] = ()) -> None:
        self.dotted = dotted
        self.csrf_exempt = frozenset(csrf_exempt)

    def __getattr__(self, name: str) -> View:
        if name.startswith("__"):
            raise AttributeError(name)
        return lazy(f"{self.dotted}.{name}", csrf_exempt=name in self.csrf_exempt)
