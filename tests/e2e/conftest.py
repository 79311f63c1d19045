"""The end-to-end journeys' world: a live server on 127.0.0.1 fed with both shipped
rulebooks, the test SMTP server for the emails, and headless Chromium at a desktop and a
phone size.

The clock of the process (the live server's thread included) travels to a day inside both
shipped campaigns and keeps ticking, so that a person's clicks follow each other in time.
Cookies are session cookies: the browser lives in real time, and an expiry computed on the
travelled clock would already be past for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from admissions.catalog.models import Campaign
from admissions.people.models import Role, StaffRole, User
from tests.e2e.plugin import shots_folder
from tests.factories import IN_BS_CAMPAIGN, UserFactory, load_preset
from tests.jury.cleanup import remove_published_decisions
from tests.services.base import require_binary
from tests.services.smtp import SmtpServer

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"
# Chromium waits this long for a page or an element before the journey fails: long
# enough for a machine busy with other work, never spent when the page is there.
WAIT_MS = 60_000
AXE = Axe()
# A journey walks dozens of pages, each checked by axe-core in two languages: on a busy
# machine it takes longer than the run's limit for one test, made for tests of a function.
# Its own limit is the whole set's budget, ten minutes.
JOURNEY = pytest.mark.timeout(600)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_BS_CAMPAIGN, tick=True) as traveller:
        yield traveller


@pytest.fixture
def schools(db: None, clock: time_machine.Coordinates) -> dict[str, Campaign]:
    """Both shipped rulebooks, loaded as `load_rulebook` does."""
    return {preset: load_preset(preset) for preset in ("imt-bs", "imt-nord-europe")}


@pytest.fixture
def e2e_settings(settings: Settings, live_server: LiveServer) -> Settings:
    settings.ALLOWED_HOSTS = ["*"]
    settings.CSRF_COOKIE_AGE = None
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.SITE_URL = live_server.url
    return settings


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    executable = require_binary("chromium", package="chromium")
    from playwright import sync_api

    # Playwright's sync API runs an event loop in this thread; the ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()
            # Queries made while Playwright's loop ran used connections of their own
            # context; close them, or the test database cannot be dropped at the end.
            connections.close_all()


@dataclass
class Journey:
    """People in a browser on the live server, each in a context of their own."""

    name: str
    browser: Any
    url: str
    shots: Path
    inbox: SmtpServer
    pages: list[Any] = field(default_factory=list)
    taken: list[Path] = field(default_factory=list)
    # Serious and critical failures axe-core found, one line each, checked at the end.
    violations: list[str] = field(default_factory=list)
    # Every page each person's browser showed, checked by axe-core at the end.
    visited: list[tuple[Any, str]] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    def person(self, language: str = "en") -> Any:
        context = self.browser.new_context(viewport=DESKTOP, locale=language)
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on(
            "framenavigated",
            lambda frame: frame == page.main_frame and self.visited.append((context, frame.url)),
        )
        self.pages.append(page)
        return page

    def at(self, path: str) -> str:
        return f"{self.url}{path}"

    def shot(self, page: Any, key: str) -> None:
        """The page as it stands, on a desktop and on a phone."""
        folder = self.shots / self.name
        folder.mkdir(parents=True, exist_ok=True)
        number = len(self.taken) // 2 + 1
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            target = folder / f"{number:02d}-{key}-{size}.png"
            page.screenshot(path=str(target), full_page=True)
            self.taken.append(target)
        page.set_viewport_size(DESKTOP)
        self.check_accessibility(page)

    def check_accessibility(self, page: Any) -> None:
        """axe-core on the page, and on the same page in French when it is in English."""
        self.checked.add(page_key(page.url.removeprefix(self.url)))
        self._axe(page)
        path = page.url.removeprefix(self.url)
        if path.startswith("/en/"):
            french = page.context.new_page()
            french.goto(self.at(path.removeprefix("/en")))
            self._axe(french)
            french.close()

    def check_every_page_visited(self) -> None:
        """axe-core, in both languages, on each page the journey showed and no screenshot
        checked: the page again as its person sees it now, once per kind of page."""
        for context, url in self.visited:
            path = url.removeprefix(self.url)
            key = page_key(path)
            if not url.startswith(self.url) or key in self.checked:
                continue
            self.checked.add(key)
            tab = context.new_page()
            answer = tab.goto(url)
            if answer is not None and "text/html" in answer.headers.get("content-type", ""):
                self.check_accessibility(tab)
            tab.close()

    def _axe(self, page: Any) -> None:
        results = AXE.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [" ".join(node["target"]) for node in violation["nodes"]][:3]
                self.violations.append(
                    f"{page.url}: {violation['id']} ({violation['impact']}) {targets}"
                )

    def log_in(
        self, page: Any, email: str, password: str = PASSWORD, *, language: str = "en"
    ) -> None:
        prefix = "" if language == "fr" else f"/{language}"
        page.goto(self.at(f"{prefix}/accounts/login/"))
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()

    def log_out(self, page: Any) -> None:
        page.context.clear_cookies()

    def last_email_to(self, address: str) -> Any:
        for received in reversed(self.inbox.received):
            if address in received.recipients:
                return received.message
        raise AssertionError(f"no email to {address} among {len(self.inbox.received)}")

    def link_in(self, message: Any, pattern: str) -> str:
        text = message.get_body(preferencelist=("plain",)).get_content()
        found = re.search(rf"https?://\S*{pattern}\S*", text)
        assert found, text
        return found.group(0)


@pytest.fixture
def journey(
    request: pytest.FixtureRequest,
    chromium: Any,
    live_server: LiveServer,
    e2e_settings: Settings,
    smtp_inbox: SmtpServer,
    schools: dict[str, Campaign],
) -> Iterator[Journey]:
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    made = Journey(
        name=name,
        browser=chromium,
        url=live_server.url,
        shots=shots_folder(request.config),
        inbox=smtp_inbox,
    )
    yield made
    made.check_every_page_visited()
    errors = [error for page in made.pages for error in page.errors]
    for page in made.pages:
        page.context.close()
    # A journey publishes decisions, which the database keeps for good.
    remove_published_decisions()
    assert not errors, errors
    assert not made.violations, "\n".join(dict.fromkeys(made.violations))


def page_key(path: str) -> str:
    """A page's kind: its path in either language, files and numbers taken out."""
    path = path.split("#")[0].split("?")[0].removeprefix("/en/").removeprefix("/")
    return "/" + "/".join("*" if re.search(r"\d", part) else part for part in path.split("/"))


def staff(
    email: str, role: Role, campaign: Campaign, *, first_name: str = "Claude", last_name: str = ""
) -> User:
    """A verified staff member of the campaign's institution, made as the office does."""
    user = UserFactory(email=email, first_name=first_name, last_name=last_name or role.label)
    StaffRole.objects.create(user=user, role=role, institution=campaign.institution)
    verify(user)
    return user


def verify(user: User) -> None:
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
