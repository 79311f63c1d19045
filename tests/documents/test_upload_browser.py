"""The upload page in a real browser: the progress script, and the page without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from admissions.applications.models import Application
from admissions.documents.models import DocumentVersion
from admissions.people.models import User
from tests.documents import corpus
from tests.services.base import require_binary


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    chromium = require_binary("chromium", package="chromium")
    from playwright import sync_api

    # Playwright's sync API runs an event loop in this thread; the ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()
            # Queries made while Playwright's loop runs use connections of their own
            # context; close them here, or the test database cannot be dropped at the end.
            connections.close_all()


def signed_in_page(
    browser: Any, live_server: LiveServer, candidate: User, *, javascript: bool = True
) -> Any:
    client = Client()
    client.force_login(candidate)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    # No expiry: the browser lives in real time while the server's clock is frozen.
    context = browser.new_context(java_script_enabled=javascript)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


@pytest.fixture
def browser_settings(settings: Settings) -> None:
    settings.CSRF_COOKIE_AGE = None  # a session cookie, for the same reason
    settings.ALLOWED_HOSTS = ["*"]


@pytest.mark.usefixtures("browser_settings")
def test_the_script_uploads_with_progress_and_refuses_over_size_files(
    browser: Any,
    live_server: LiveServer,
    application: Application,
    candidate: User,
    tmp_path: Path,
) -> None:
    page = signed_in_page(browser, live_server, candidate)
    page.goto(f"{live_server.url}/en/documents/{application.reference}/")
    too_big = tmp_path / "big.pdf"
    too_big.write_bytes(corpus.oversize_pdf(2 * 1024 * 1024))
    page.set_input_files("#id_cv_file", str(too_big))
    page.click("#doc-cv button[type=submit]")
    error = page.locator("#doc-cv [data-upload-error]")
    error.wait_for(state="visible", timeout=5000)
    assert "at most 1.0 MB" in error.inner_text()
    assert not DocumentVersion.objects.exists()  # refused in the browser, nothing was sent

    good = tmp_path / "mon-cv.pdf"
    good.write_bytes(corpus.pdf())
    page.set_input_files("#id_cv_file", str(good))
    with page.expect_navigation(timeout=10000):
        page.click("#doc-cv button[type=submit]")
    assert page.url.endswith("#doc-cv")
    # The hash change ends the awaited navigation; the reload that shows the file follows.
    page.locator("#doc-cv").get_by_text("mon-cv.pdf").first.wait_for(timeout=15000)
    assert "mon-cv.pdf" in page.inner_text("#doc-cv")
    assert page.locator(".message.success").count() == 1
    assert DocumentVersion.objects.get().original_filename == "mon-cv.pdf"


@pytest.mark.usefixtures("browser_settings")
def test_the_form_works_without_javascript(
    browser: Any,
    live_server: LiveServer,
    application: Application,
    candidate: User,
    tmp_path: Path,
) -> None:
    page = signed_in_page(browser, live_server, candidate, javascript=False)
    page.goto(f"{live_server.url}/en/documents/{application.reference}/")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(corpus.png())  # a PNG under a JPEG name: refused with a message
    page.set_input_files("#id_photo_file", str(photo))
    with page.expect_navigation(timeout=10000):
        page.click("#doc-photo button[type=submit]")
    assert "a PNG image" in page.inner_text(".messages")
    assert not DocumentVersion.objects.exists()
