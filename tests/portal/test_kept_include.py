"""`{% kept_include %}`: the navigation and the language switch, rendered once per language and
key and kept, write what the plain include writes, with each request's token and address."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import _unmask_cipher_token
from django.template import Context, RequestContext, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.urls import translate_url
from django.utils import translation

from admissions.catalog.models import Institution
from admissions.people.models import Role, User
from admissions.portal.templatetags import ui
from tests.factories import UserFactory, staff_member

NAV = "includes/nav_candidate.html"
NAV_KEYS = "user.is_authenticated is_staff_member request.path"
SWITCH = "includes/language_switch.html"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _pair(name: str, keys: str = "") -> tuple[Template, Template]:
    kept = Template('{% load ui %}{% kept_include "' + name + '" ' + keys + " %}")
    plain = Template('{% include "' + name + '" %}')
    return kept, plain


def _context(path: str, user: User | AnonymousUser) -> RequestContext:
    request = RequestFactory().get(path)
    request.user = user
    return RequestContext(request)


def _unmasked(page: str) -> str:
    """`page` with each CSRF token replaced by the secret it masks: a token is masked anew
    on each rendering."""
    return TOKEN.sub(
        lambda found: f'name="csrfmiddlewaretoken" secret="{_unmask_cipher_token(found[1])}"', page
    )


def _both(name: str, keys: str, path: str, user: User | AnonymousUser) -> tuple[str, str]:
    kept, plain = _pair(name, keys)
    context = _context(path, user)
    return _unmasked(kept.render(context)), _unmasked(plain.render(context))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("visitor", "/"),
        ("visitor", "/programmes/"),
        ("visitor", "/accounts/login/"),
        ("candidate", "/me/"),
        ("candidate", "/programmes/"),
        ("candidate", "/en/me/profile/"),
        ("staff", "/office/"),
        ("staff", "/en/office/"),
        ("staff", "/office/queue/"),
    ],
)
def test_the_kept_navigation_is_the_included_one(language: str, who: str, path: str) -> None:
    user: User | AnonymousUser
    if who == "visitor":
        user = AnonymousUser()
    elif who == "candidate":
        user = UserFactory()
    else:
        user = staff_member(Role.ADMISSIONS_OFFICER, institution=Institution.objects.first())
    with translation.override(language):
        # Twice: the first rendering is kept, the second written from what was kept.
        for _ in range(2):
            kept, plain = _both(NAV, NAV_KEYS, path, user)
            assert kept == plain
    if who == "visitor":
        assert "csrfmiddlewaretoken" not in kept
    else:
        assert kept.count('name="csrfmiddlewaretoken" secret=') == 1
        assert ui.TOKEN_SLOT not in kept


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/office/?status=submitted&programme=3",
        "/en/accounts/login/?next=/me/&x=%3Cb%3E",
        "/nowhere/at/all/",
        "/office/files/IMT-2026-000123/",
    ],
)
def test_the_kept_language_switch_is_the_included_one(language: str, path: str) -> None:
    with translation.override(language):
        for _ in range(2):
            kept, plain = _both(SWITCH, "", path, AnonymousUser())
            assert kept == plain
    assert "KEPT-" not in kept


@pytest.mark.django_db
def test_each_request_gets_its_own_token_and_address() -> None:
    kept, _plain = _pair(SWITCH)
    with translation.override("fr"):
        first = kept.render(_context("/office/?page=1", AnonymousUser()))
        second = kept.render(_context("/office/?page=2", AnonymousUser()))
    assert TOKEN.findall(first) != TOKEN.findall(second)
    assert 'value="/en/office/?page=1"' in first
    assert 'value="/en/office/?page=2"' in second


@pytest.mark.django_db
def test_a_context_without_a_token_gets_no_token_field() -> None:
    kept, plain = _pair(NAV, NAV_KEYS)
    context = _context("/me/", UserFactory())
    context["csrf_token"] = ""
    with translation.override("en"):
        assert kept.render(context) == plain.render(context)
    assert "csrfmiddlewaretoken" not in kept.render(context)


def test_without_a_request_the_include_is_rendered_each_time() -> None:
    kept, plain = _pair(SWITCH)
    with translation.override("en"):
        assert kept.render(Context()) == plain.render(Context())
    node = kept.nodelist[-1]
    assert node.written == {}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_kept_renderings_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui, "KEPT_LIMIT", 3)
    kept, _plain = _pair(NAV, NAV_KEYS)
    node = kept.nodelist[-1]
    with translation.override("fr"):
        for number in range(7):
            kept.render(_context(f"/page/{number}/", AnonymousUser()))
            assert len(node.written) <= 3  # type: ignore[attr-defined]


def test_a_name_must_be_quoted() -> None:
    with pytest.raises(TemplateSyntaxError, match="kept_include"):
        Template("{% load ui %}{% kept_include name %}")


@pytest.mark.django_db
@pytest.mark.parametrize("active", ["fr", "en"])
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/office/",
        "/en/office/queue/?status=submitted&sort=waiting",
        "/office/files/MS-2026-000001/",
        "/en/office/files/A%26B%2F1%20%C3%A9/",
        "/accounts/login/?next=/me/#top",
        "/nowhere/",
        "/en/nowhere/?x=1",
        "//elsewhere.example/office/",
        "/healthz",
        "/api/v1/staff/files",
    ],
)
def test_the_address_in_each_language_is_translate_urls(
    active: str, language: str, path: str
) -> None:
    request = RequestFactory().get(path)
    with translation.override(active):
        for _ in range(2):  # the second from what was kept
            written = ui.language_url(Context({"request": request}), language)
            assert written == translate_url(request.get_full_path(), language)
