"""A candidate completes an application with the keyboard alone: Tab to move, typing in
the fields, Enter and Space to act. The file chooser a file input opens with Space is the
system's own dialog, answered with the file as a keyboard user would pick it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from admissions.catalog.models import Campaign
from tests.documents import corpus
from tests.e2e.conftest import PASSWORD, Journey, verify
from tests.e2e.people import MARK, reloaded
from tests.factories import (
    COVER_LETTER,
    PROFESSIONAL_PROJECT,
    draft,
    eligible_candidate,
    programme_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IS_FOCUSED = "s => document.activeElement !== null && document.activeElement.matches(s)"


def tab_to(page: Any, selector: str, *, presses: int = 400) -> None:
    """Press Tab until the element focused matches `selector`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(IS_FOCUSED, selector):
            return
    raise AssertionError(f"Tab never reaches {selector} on {page.url}")


def press_and_wait(page: Any, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def test_a_candidate_applies_with_the_keyboard_alone(
    journey: Journey, schools: dict[str, Campaign], tmp_path: Path
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
    page = journey.person()
    page.goto(journey.at("/en/accounts/login/"))
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
        # A date field takes its digits in the order the browser's language shows them.
        for name, value in (("valid_until", "05312031"), ("number", "24AB12345")):
            if page.locator(f"#doc-{code} input[name={name}]").count():
                tab_to(page, f"#doc-{code} input[name={name}]")
                page.keyboard.type(value)
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

    page.goto(journey.at(f"/en/me/applications/{application.reference}/"))
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
