"""The pages' small scripts in a real browser, under the site's strict CSP: the choices that
depend on the track, the live character count, the API documentation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from admissions.catalog.models import Campaign
from admissions.people.models import User
from tests.factories import IN_NORD_CAMPAIGN, draft, eligible_candidate, load_preset, programme_of
from tests.services.base import require_binary

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[Any]:
    chromium = require_binary("chromium", package="chromium")
    from playwright import sync_api

    settings.ALLOWED_HOSTS = ["*"]
    settings.CSRF_COOKIE_AGE = None
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()
            connections.close_all()


def watched_page(browser: Any, live_server: LiveServer, user: User | None = None) -> Any:
    """A page whose console errors (a CSP refusal among them) are kept in `page.errors`."""
    context = browser.new_context()
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


@pytest.fixture
def campaigns() -> tuple[Campaign, Campaign]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        return load_preset("imt-bs"), load_preset("imt-nord-europe")


def visible_options(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "select[name=financing_mode] option",
        "options => options.filter(o => !o.hidden && !o.disabled).map(o => o.value)",
    )


def test_the_simulator_shows_only_the_modes_of_the_track_chosen(
    browser: Any, live_server: LiveServer, campaigns: tuple[Campaign, Campaign]
) -> None:
    bs, _nord = campaigns
    programme = programme_of(bs, "ms-achats-supply-chain")
    page = watched_page(browser, live_server)
    page.goto(f"{live_server.url}/en/payments/simulator/?programme={programme.pk}")
    assert page.locator("select[name=track]").input_value() == "full_time"
    assert visible_options(page) == [
        "personnel",
        "demandeur-emploi",
        "entreprise",
        "transition-pro",
    ]
    page.select_option("select[name=track]", "work_study")
    assert visible_options(page) == ["entreprise", "opco"]
    # The choice made was not open to work-study: the first mode that is takes its place.
    assert page.locator("select[name=financing_mode]").input_value() == "entreprise"
    page.select_option("select[name=financing_mode]", "opco")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("caption", has_text="Paid by your employer's OPCO").count() == 1
    assert page.errors == []


def test_the_character_count_follows_the_typing(
    browser: Any, live_server: LiveServer, campaigns: tuple[Campaign, Campaign]
) -> None:
    _bs, nord = campaigns
    candidate = eligible_candidate()
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        application = draft(candidate, nord, professional_project="Devenir RSSI.")
    page = watched_page(browser, live_server, candidate)
    page.goto(f"{live_server.url}/en/me/applications/{application.reference}/")
    count = page.locator("#id_professional_project_count")
    assert count.locator("[data-count]").inner_text() == "13"
    assert "short" in (count.get_attribute("class") or "")
    page.fill("#id_professional_project", "x" * 420)
    assert count.locator("[data-count]").inner_text() == "420"
    assert "short" not in (count.get_attribute("class") or "")
    assert page.errors == []


def test_the_api_documentation_works_under_the_csp(browser: Any, live_server: LiveServer) -> None:
    page = watched_page(browser, live_server)
    page.goto(f"{live_server.url}/api/v1/docs")
    # Swagger UI parses about a megabyte of script before drawing: on two busy cores that has
    # taken longer than 15 s, while a broken page never draws at all.
    page.wait_for_selector(".opblock", timeout=45_000)
    assert page.locator(".opblock").count() > 10
    assert page.errors == []
