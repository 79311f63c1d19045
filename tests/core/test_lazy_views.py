"""A view loaded by its first request (core/lazy_views.py) is the view it names: it exists,
Django sees the same CSRF exemption, and it answers as that view."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils.module_loading import import_string

from admissions.core.lazy_views import Views, lazy
from tests.people.test_auth_urls import leaves


def lazy_patterns() -> list[URLPattern]:
    return [p for p in leaves(get_resolver().url_patterns) if hasattr(p.callback, "loads")]


def test_the_staff_and_candidate_pages_have_lazy_views() -> None:
    modules = {pattern.callback.loads.rpartition(".")[0] for pattern in lazy_patterns()}
    assert {
        "admissions.office.jury_views",
        "admissions.office.finance.views",
        "admissions.portal.profile_views",
        "admissions.portal.messages_views",
        "allauth.socialaccount.providers.saml.views",
    } <= modules


def test_each_lazy_view_names_a_view_with_its_csrf_exemption() -> None:
    patterns = lazy_patterns()
    assert len(patterns) > 100
    for pattern in patterns:
        view = import_string(pattern.callback.loads)
        assert callable(view), pattern.callback.loads
        assert getattr(pattern.callback, "csrf_exempt", False) == getattr(
            view, "csrf_exempt", False
        ), pattern.callback.loads
        # The wrapper does not carry `login_not_required` (read by Django's
        # LoginRequiredMiddleware, which this site does not install): none of ours has it.
        if pattern.callback.loads.startswith("admissions."):
            assert getattr(view, "login_required", True), pattern.callback.loads


def test_views_of_a_module_name_their_exemptions() -> None:
    views = Views("admissions.portal.messages_views", csrf_exempt={"application_messages"})
    assert views.application_messages.csrf_exempt is True  # type: ignore[attr-defined]
    assert not hasattr(views.message_attachment, "csrf_exempt")
    assert views.message_attachment.loads == (  # type: ignore[attr-defined]
        "admissions.portal.messages_views.message_attachment"
    )
    with pytest.raises(AttributeError):
        views.__wrapped__  # noqa: B018 - what inspect and decorators look for


def test_a_lazy_view_imports_its_view_on_its_first_call() -> None:
    calls = []

    def answer(request: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append((request, args, kwargs))
        return "answered"

    view = lazy(f"{__name__}.TARGET")
    globals()["TARGET"] = answer
    try:
        assert view("request", 1, key=2) == "answered"
    finally:
        del globals()["TARGET"]
    assert calls == [("request", (1,), {"key": 2})]
    # Imported once: the name no longer needs to be there.
    assert view("again") == "answered"


@pytest.mark.django_db
def test_a_lazy_page_answers() -> None:
    response = Client().get(reverse("privacy:notice"))
    assert response.status_code == 200
    assert response.resolver_match.func.loads == "admissions.portal.privacy_views.notice"  # type: ignore[union-attr]
