"""URL namespaces whose names are gathered when a reverse() first asks for one of them.

Django gathers the names of every namespace, in every language, at the first reverse() of a
worker (a page's link to itself, or to itself in the other language): for each address a
normalised pattern, kept per language for the worker's life. A namespace that most workers
never link into (the admin site, the API) is only gathered by the first reverse() into it,
and one below a prefix (the staff's pages) is never gathered twice."""

from __future__ import annotations

from typing import Any

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern
from django.utils.translation import get_language


class NamespaceOnUse(URLResolver):
    """An include() with a namespace, its names gathered on first use.

    Django reverses a name of a namespace below a prefix through a resolver of its own, made
    by the first reverse() into it: only a namespace without a prefix (the candidate's pages
    in the default language) is gathered here."""

    def __init__(self, route: str, included: tuple[Any, str | None, str | None]) -> None:
        urlconf, app_name, namespace = included
        super().__init__(
            RoutePattern(route, is_endpoint=False),
            urlconf,
            app_name=app_name,
            namespace=namespace,
        )

    def _populate(self) -> None:
        # The enclosing resolver's population: nothing of this namespace is needed yet.
        pass

    def _gather(self) -> None:
        # Once gathered for a language, every name and callback is known for it.
        if get_language() not in self._reverse_dict:
            super()._populate()

    @property
    def reverse_dict(self) -> Any:
        self._gather()
        return super().reverse_dict

    @property
    def namespace_dict(self) -> Any:
        self._gather()
        return super().namespace_dict

    @property
    def app_dict(self) -> Any:
        self._gather()
        return super().app_dict

    def _is_callback(self, name: str) -> bool:
        self._gather()
        return super()._is_callback(name)
