"""A namespace gathered on first use reverses and resolves as Django's own include() does."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils import translation

from admissions.core.namespaces import NamespaceOnUse


def admin_resolver() -> NamespaceOnUse:
    found = [
        pattern
        for prefixed in get_resolver().url_patterns
        if isinstance(prefixed, URLResolver)
        for pattern in prefixed.url_patterns
        if getattr(pattern, "namespace", None) == "admin"
    ]
    assert len(found) == 1
    assert isinstance(found[0], NamespaceOnUse)
    return found[0]


def gathered(resolver: URLResolver) -> dict[str, Any]:
    """What reverse() reads from a resolver: every name and view, with its patterns (each
    view by its dotted name: the admin site wraps its views anew on each build)."""
    names = resolver.reverse_dict
    return {
        "names": sorted(
            (
                key if isinstance(key, str) else f"{key.__module__}.{key.__qualname__}",
                repr(names.getlist(key)),
            )
            for key in names
        ),
        "namespaces": sorted(resolver.namespace_dict),
        "apps": resolver.app_dict,
    }


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_admin_namespace_gathers_what_a_plain_include_gathers(language: str) -> None:
    plain = URLResolver(
        RoutePattern("admin/", is_endpoint=False),
        admin.site.urls[0],
        app_name="admin",
        namespace="admin",
    )
    with translation.override(language):
        assert gathered(admin_resolver()) == gathered(plain)
        assert len(admin_resolver().reverse_dict) > 50


@pytest.mark.parametrize(("language", "prefix"), [("fr", "/admin/"), ("en", "/en/admin/")])
def test_links_into_the_admin_and_its_pages_in_each_language(language: str, prefix: str) -> None:
    with translation.override(language):
        assert reverse("admin:index") == prefix
        assert reverse("admin:catalog_campaign_change", args=[7]) == (
            f"{prefix}catalog/campaign/7/change/"
        )
        assert resolve(f"{prefix}catalog/campaign/7/change/").namespace == "admin"


@pytest.mark.django_db
def test_the_admin_login_page_answers(client: Client) -> None:
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/en/admin/").status_code == 302
