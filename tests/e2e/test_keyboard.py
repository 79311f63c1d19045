"""A candidate completes an application with the keyboard alone, in French and in English:
Tab to move, typing in the fields, Enter and Space to act. The file chooser a file input
opens with Space is the system's own dialog, answered with the file as a keyboard user would
pick it.

Each step waits for what the person would wait for: the next page loaded, the focus on the
element reached, the upload's page reloaded with the file listed. Nothing waits for a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from admissions.catalog.models import Campaign
from tests.documents import corpus
from tests.e2e.conftest import JOURNEY, PASSWORD, Journey, verify
from tests.e2e.people import MARK, reloaded
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    draft,
    eligible_candidate,
    programme_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), JOURNEY]

IS_FOCUSED = "s => document.activeElement !== null && document.activeElement.matches(s)"
# What Tab may stop on; a date field's segments count as several stops.
STOPS = """() => document.querySelectorAll(
  'a[href], button, input, select, textarea, [tabindex], summary').length"""


def tab_to(page: Any, selector: str) -> None:
    """Press Tab until the element focused matches `selector`, going round the page twice
    at most: where Tab starts from (the top, a field the page focused, the anchor of the
    address) does not matter."""
    # The page's scripts and its anchor have settled before the first key.
    page.wait_for_function("() => document.readyState === 'complete'")
    page.locator(selector).first.wait_for(state="attached")
    for _ in range(2 * (page.evaluate(STOPS) * 3 + 5)):
        page.keyboard.press("Tab")
        if page.evaluate(IS_FOCUSED, selector):
            return
    raise AssertionError(f"Tab never reaches {selector} on {page.url}")


def press_and_wait(page: Any, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_candidate_applies_with_the_keyboard_alone(
    journey: Journey, schools: dict[str, Campaign], tmp_path: Path, language: str
) -> None:
    bs = schools["imt-bs"]
    candidate = eligible_candidate()
    verify(candidate)
    application = draft(
        candidate,
        bs,
        programme_of(bs, "ms-transformation-digitale"),
        track="work_study",
        financing_mode="opco",
        cover_letter=COVER_LETTER,
    )
    prefix = "" if language == "fr" else f"/{language}"
    page = journey.person(language)
    # Playwright catches the system's file dialog only while someone listens for it, and it
    # switches the catching on and off without waiting: listening around each Space alone
    # raced the key on a busy machine, and the dialog opened uncaught, never to be answered.
    # A listener for the whole journey keeps it caught from the first page.
    page.on("filechooser", lambda chooser: None)
    page.goto(journey.at(f"{prefix}/accounts/login/"))
    assert page.locator("html").get_attribute("lang") == language
    tab_to(page, "input[name=login]")
    page.keyboard.type(candidate.email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    press_and_wait(page)

    tab_to(page, f"a[href$='/applications/{application.reference}/']")
    press_and_wait(page)
    tab_to(page, "textarea[name=professional_project]")
    page.keyboard.type(PROFESSIONAL_PROJECT)
    tab_to(page, "button[name=action][value=save]")
    press_and_wait(page)

    tab_to(page, "a[href$='/documents/" + application.reference + "/']")
    press_and_wait(page)
    for code in awaited(page):
        file = tmp_path / ("photo.jpg" if code == "photo" else f"{code}.pdf")
        file.write_bytes(corpus.jpeg() if code == "photo" else corpus.pdf(text=code))
        tab_to(page, f"#doc-{code} input[type=file]")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(str(file))
        # The date field's segments follow the browser's own language (month first here,
        # whatever the page's), and the digits move from one segment to the next.
        for name, value, typed in (
            ("valid_until", "2031-05-31", "05312031"),
            ("number", "24AB12345", "24AB12345"),
        ):
            field = page.locator(f"#doc-{code} input[name={name}]")
            if field.count():
                tab_to(page, f"#doc-{code} input[name={name}]")
                page.keyboard.type(typed)
                assert field.input_value() == value, field.input_value()
        tab_to(page, f"#doc-{code} button[type=submit]")
        page.evaluate(MARK)
        page.keyboard.press("Enter")
        reloaded(page)
        page.locator(f"#doc-{code}").get_by_text(file.name).first.wait_for()
    assert awaited(page) == []

    tab_to(page, f"a[href$='/applications/{application.reference}/']")
    press_and_wait(page)
    tab_to(page, "a.button[href*='/payments/']")
    press_and_wait(page)
    tab_to(page, "form[action*='/card/application_fee/'] button")
    press_and_wait(page)
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page)

    page.goto(journey.at(f"{prefix}/me/applications/{application.reference}/"))
    tab_to(page, "button[name=action][value=submit]")
    press_and_wait(page)
    application.refresh_from_db()
    assert application.status == "submitted", page.inner_text("main")[:2000]


def awaited(page: Any) -> list[str]:
    """The documents the candidate still has to send (optional ones aside)."""
    cards = page.locator(
        "li.document.state-missing:has(form.upload):not(:has(.badge:text-is('optional')))"
    )
    return [card.get_attribute("id").removeprefix("doc-") for card in cards.all()]
