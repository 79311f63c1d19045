"""A namespace gathered on first use reverses and resolves as Django's own include() does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from admissions.core.namespaces import NamespaceOnUse

NAMESPACES = ["admin", "documents", "office", "payment_hooks", "payments", "portal", "privacy"]


def namespaces() -> dict[str, URLResolver]:
    """The namespaces at the top of the URLconf and under its language prefix."""
    top = get_resolver().url_patterns
    found = [
        pattern
        for candidate in top
        if isinstance(candidate, URLResolver)
        for pattern in (candidate.url_patterns if candidate.namespace is None else [candidate])
        if isinstance(pattern, URLResolver) and pattern.namespace
    ]
    return {resolver.namespace: resolver for resolver in found if resolver.namespace != "api"}


def test_every_namespace_is_gathered_on_use() -> None:
    found = namespaces()
    assert sorted(found) == NAMESPACES
    assert all(isinstance(resolver, NamespaceOnUse) for resolver in found.values())


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


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_namespace_gathers_what_a_plain_include_gathers(namespace: str, language: str) -> None:
    ours = namespaces()[namespace]
    plain = URLResolver(
        ours.pattern, ours.urlconf_name, app_name=ours.app_name, namespace=ours.namespace
    )
    with translation.override(language):
        assert gathered(ours) == gathered(plain)
        assert len(ours.reverse_dict) > 0


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


@pytest.mark.parametrize(
    ("name", "kwargs", "fr", "en"),
    [
        ("portal:home", {}, "/", "/en/"),
        ("office:queue", {}, "/office/queue/", "/en/office/queue/"),
        ("privacy:my_data", {}, "/privacy/my-data/", "/en/privacy/my-data/"),
        ("payment_hooks:provider", {"provider": "card"}, "/hooks/payments/card/", None),
    ],
)
def test_links_into_each_namespace_in_each_language(
    name: str, kwargs: dict[str, str], fr: str, en: str | None
) -> None:
    with translation.override("fr"):
        assert reverse(name, kwargs=kwargs) == fr
        assert resolve(fr).view_name == name
    with translation.override("en"):
        assert reverse(name, kwargs=kwargs) == (en or fr)
        assert resolve(en or fr).view_name == name
