"""The staff's home written from its kept markup (office/kept_page.py) is the page the template
writes: for readers of each kind, in both languages, filtered, on each page, with each
request's token and the page's address in the other language."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.template import engines
from django.test import Client, RequestFactory
from django.utils.safestring import mark_safe

from admissions.office import kept_page
from admissions.people.models import Role, User
from tests.factories import IN_NORD_CAMPAIGN, load_preset, programme_of, staff_member
from tests.office.test_home import _files

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _unmasked(page: str) -> str:
    """`page` with each CSRF token replaced by the secret it masks (masked anew each time)."""
    return TOKEN.sub(lambda found: f'secret="{_unmask_cipher_token(found[1])}"', page)


def _same(client: Client, url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page at `url`, checked the same kept (its first writing, then one from what was
    kept) and plain."""
    cache.clear()
    first = _unmasked(client.get(url).content.decode())
    again = _unmasked(client.get(url).content.decode())
    with monkeypatch.context() as plain:
        plain.setattr(kept_page, "MOST", 0)
        written = _unmasked(client.get(url).content.decode())
    assert first == written
    assert again == written
    return written


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', page)
    return found[1].replace("&amp;", "&") if found else None


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_kept_home_is_the_template_s_page(monkeypatch: pytest.MonkeyPatch) -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    other = programme_of(campaign, "ms-transition-energetique")
    mine = _files(52, campaign, cyber)
    _files(2, campaign, other)
    monkeypatch.setattr(kept_page, "_kept", type(kept_page._kept)())
    readers: list[User] = [
        staff_member(Role.ADMISSIONS_OFFICER, programme=cyber),
        staff_member(Role.FINANCE_OFFICER, institution=cyber.institution),
        staff_member(Role.INSTITUTION_ADMIN, institution=cyber.institution),
    ]
    filters = [
        "",
        "status=submitted",
        f"programme={cyber.pk}",
        "q=%3Cb%3E%26%22%27",
        f"q={mine[0].reference}",
        "waiting=0&status=submitted&q=a%20b",
    ]
    pages = 0
    for reader in readers:
        client = Client()
        client.force_login(reader)
        for prefix in ("", "/en"):
            for query in filters:
                home = f"{prefix}/office/"
                page = _same(client, f"{home}?{query}", monkeypatch)
                pages += 1
                for rel in ("next", "last"):
                    if link := _link(page, rel):
                        further = _same(client, f"{home}{link}", monkeypatch)
                        back = _link(further, "prev")
                        assert back is not None
                        _same(client, f"{home}{back}", monkeypatch)
                        pages += 2
    assert pages > 40
    # The pages were written from kept markup, one per reader kind, language and condition.
    [kept] = kept_page._kept.values()
    assert len([found for found in kept.values() if found is not None]) > 10


def test_a_page_with_messages_is_written_by_the_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kept_page, "_kept", type(kept_page._kept)())
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    storage = FallbackStorage(request)
    request._messages = storage  # type: ignore[attr-defined]
    name = "includes/messages.html"
    assert kept_page.render_kept(request, name, {}, {}).content.strip() == b""
    storage.add(constants.SUCCESS, "Saved <for sure>.")
    page = kept_page.render_kept(request, name, {}, {}).content.decode()
    assert "Saved &lt;for sure&gt;." in page


def test_a_template_reading_more_of_the_request_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kept_page, "_kept", type(kept_page._kept)())
    template = engines["django"].from_string("{{ value }} {{ request.GET }}")
    request = RequestFactory().get("/somewhere/?a=1")
    assert kept_page._rendered(request, template, {}, {"value": mark_safe("x")}) is None
    plain = engines["django"].from_string("<p>{{ value }}</p>{% if on %}{{ other }}{% endif %}")
    found = kept_page._rendered(request, plain, {"on": True}, {"value": 1, "other": "<"})
    assert found is not None
    assert found.texts == ("<p>", "</p>", "")
    assert kept_page._written(found, request, {"value": 1234, "other": "<"}) == "<p>1234</p>&lt;"


@pytest.mark.parametrize(
    "source",
    [
        "{{ value }} {{ user.email }}",
        "{{ value }} {{ user.display_name }}",
        "{{ value }} {% if perms.office %}x{% endif %}",
        "{{ value }} {% if 'office.view' in perms %}x{% endif %}",
        "{{ value }} {% if user %}x{% endif %}",
    ],
)
def test_a_template_naming_its_reader_is_not_kept(
    monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.setattr(kept_page, "_kept", type(kept_page._kept)())
    template = engines["django"].from_string(source)
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    assert kept_page._rendered(request, template, {}, {"value": mark_safe("x")}) is None


def test_whether_the_reader_is_signed_in_is_read_by_a_kept_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kept_page, "_kept", type(kept_page._kept)())
    template = engines["django"].from_string(
        "{% if user.is_authenticated %}in{% else %}out{% endif %} {{ value }}"
    )
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    found = kept_page._rendered(request, template, {}, {"value": mark_safe("x")})
    assert found is not None
    assert kept_page._written(found, request, {"value": mark_safe("x")}) == "out x"
