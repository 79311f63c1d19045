"""allauth's SAML and second-factor addresses, served with views loaded at first use, are
allauth's own: the same routes, names and CSRF exemptions, and they still answer."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from admissions.people import auth_urls


def flattened(patterns: list[Any], prefix: str = "") -> list[tuple[str, str, bool, str]]:
    """(route, name, CSRF-exempt, the view's dotted name) of every leaf of `patterns`."""
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += flattened(pattern.url_patterns, route)
            continue
        assert isinstance(pattern, URLPattern)
        view = pattern.callback
        dotted = f"{view.__module__}.{view.__name__}"
        found.append((route, pattern.name or "", getattr(view, "csrf_exempt", False), dotted))
    return found


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (auth_urls.saml_urlpatterns, "allauth.socialaccount.providers.saml.urls"),
        (auth_urls.mfa_urlpatterns, "allauth.mfa.urls"),
    ],
)
def test_the_lazy_patterns_are_allauths(ours: list[Any], theirs: str) -> None:
    real = importlib.import_module(theirs).urlpatterns
    mine = flattened(ours)
    assert [row[:3] for row in mine] == [row[:3] for row in flattened(real)]
    # Each lazy view names the very view allauth's pattern holds.
    real_views = [pattern.callback for pattern in leaves(real)]
    for (_route, _name, _exempt, dotted), view in zip(mine, real_views, strict=True):
        module, _, attribute = dotted.rpartition(".")
        assert getattr(importlib.import_module(module), attribute) is view


def leaves(patterns: list[Any]) -> list[URLPattern]:
    found: list[URLPattern] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += leaves(pattern.url_patterns)
        else:
            found.append(pattern)
    return found


@pytest.mark.django_db
def test_a_lazy_view_answers_as_allauths() -> None:
    # Signed out, the second factor's index sends to the log-in page, as allauth's does.
    response = Client().get(reverse("mfa_index"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
