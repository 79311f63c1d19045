"""Drafts saved as the candidate types: the JSON answers of the save endpoint, and the script.

The server side is driven with Django's client; the script in headless Chromium against a
live server, with Playwright.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    PROFESSIONAL_PROJECT,
    draft,
    eligible_candidate,
    load_preset,
    ready_application,
    type_the_letter,
)

JSON = {"HTTP_ACCEPT": "application/json"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    # The letter is typed in the form here, as a school may ask it: both texts are saved.
    return load_preset("imt-nord-europe", edit=type_the_letter)


@pytest.fixture
def candidate(db: None) -> User:
    return eligible_candidate()


@pytest.fixture
def application(candidate: User, nord: Campaign) -> Application:
    return draft(candidate, nord, cover_letter="Première version.")


@pytest.fixture
def signed_in(client: Client, candidate: User) -> Client:
    client.force_login(candidate)
    return client


def page(application: Application, language: str = "en") -> str:
    with translation.override(language):
        return reverse("portal:application", args=[application.reference])


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "track": "full_time",
        "financing_mode": "personnel",
        "cover_letter": "Première version.",
        "professional_project": "",
    }
    data.update(changes)
    return data


def saves(application: Application) -> int:
    return ApplicationEvent.objects.filter(
        application=application, action="application.draft_saved"
    ).count()


# The endpoint -------------------------------------------------------------------------------


def test_a_save_answers_the_time_it_was_saved(signed_in: Client, application: Application) -> None:
    response = signed_in.post(
        page(application), form_data(cover_letter="Une lettre qui avance."), **JSON
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    application.refresh_from_db()
    assert application.cover_letter == "Une lettre qui avance."
    assert body["changed"] == ["cover_letter"]
    assert body["saved_at"] == application.updated_at.isoformat()
    assert body["saved_time"] == "10:00"  # Paris time, as the clock of the test
    assert saves(application) == 1


def test_saving_what_is_already_saved_records_nothing(
    signed_in: Client, application: Application
) -> None:
    before = application.updated_at
    response = signed_in.post(page(application), form_data(), **JSON)
    assert response.status_code == 200
    assert response.json()["changed"] == []
    assert response.json()["saved_at"] == before.isoformat()
    assert saves(application) == 0


def test_a_too_long_text_is_refused_and_the_rest_is_saved(
    signed_in: Client, application: Application
) -> None:
    response = signed_in.post(
        page(application),
        form_data(cover_letter="x" * 20_001, professional_project="Mon projet, sauvé."),
        **JSON,
    )
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == ["cover_letter"]
    assert "at most 20000 characters (it has 20001)" in body["errors"]["cover_letter"][0]
    assert body["message"].startswith("Cover letter: This text is too long")
    assert body["changed"] == ["professional_project"]
    application.refresh_from_db()
    assert application.cover_letter == "Première version."  # the saved text is not lost
    assert application.professional_project == "Mon projet, sauvé."


def test_a_wrong_choice_is_refused_and_the_texts_are_saved(
    signed_in: Client, application: Application
) -> None:
    response = signed_in.post(
        page(application, "fr"),
        form_data(financing_mode="lottery", cover_letter="Lettre gardée."),
        **JSON,
    )
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == ["financing_mode"]
    assert body["message"].startswith("Mode de financement\u00a0: ")
    application.refresh_from_db()
    assert application.cover_letter == "Lettre gardée."
    assert application.financing_mode == "personnel"


def test_an_autosave_never_submits(signed_in: Client, candidate: User, nord: Campaign) -> None:
    application = ready_application(candidate, nord)
    response = signed_in.post(
        page(application),
        form_data(
            cover_letter=application.cover_letter,
            professional_project=application.professional_project,
            action="submit",
        ),
        **JSON,
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == "draft"


def test_a_submitted_file_refuses_with_a_clear_message(
    signed_in: Client, candidate: User, nord: Campaign
) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    for language, words in (
        ("en", "This application was submitted: it can no longer be changed."),
        ("fr", "Cette candidature a été soumise\u00a0: elle ne peut plus être modifiée."),
    ):
        response = signed_in.post(
            page(application, language), form_data(cover_letter="Trop tard."), **JSON
        )
        assert response.status_code == 409
        body = response.json()
        assert body["message"].startswith(words)
        assert body["errors"] == {"__all__": [body["message"]]}
    application.refresh_from_db()
    assert application.cover_letter != "Trop tard."


def test_another_candidates_file_is_not_found(
    client: Client, application: Application, db: None
) -> None:
    client.force_login(eligible_candidate())
    response = client.post(page(application), form_data(cover_letter="Intrus."), **JSON)
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.cover_letter == "Première version."


def test_without_an_account_the_answer_is_not_a_save(
    client: Client, application: Application
) -> None:
    response = client.post(page(application), form_data(cover_letter="Anonyme."), **JSON)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    application.refresh_from_db()
    assert application.cover_letter == "Première version."


def test_the_page_names_the_script_and_keeps_its_save_button(
    signed_in: Client, application: Application
) -> None:
    body = signed_in.get(page(application)).content.decode()
    assert "/static/admissions/js/autosave.js" in body
    assert "<script>" not in body  # no inline script: the policy forbids it
    assert "data-autosave" in body
    assert 'role="status" aria-live="polite" data-autosave-status' in body
    assert 'name="action" value="save"' in body
    assert "Saved at {time}." in body


def test_a_submitted_file_has_no_autosave(
    signed_in: Client, candidate: User, nord: Campaign
) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    body = signed_in.get(page(application)).content.decode()
    assert "autosave.js" not in body
    assert "data-autosave" not in body


# The script, in a browser --------------------------------------------------------------------


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.CSRF_COOKIE_AGE = None  # the browser lives in real time, the server's clock not
    settings.ALLOWED_HOSTS = ["*"]
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # Queries made while Playwright's loop runs use connections of their own.
            connections.close_all()


def candidate_page(browser: Any, live_server: LiveServer, candidate: User) -> Any:
    client = Client()
    client.force_login(candidate)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context = browser.new_context()
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def test_typing_is_saved_after_a_pause_and_survives_a_reload(
    browser: Any, live_server: LiveServer, application: Application, candidate: User
) -> None:
    tab = candidate_page(browser, live_server, candidate)
    tab.goto(live_server.url + page(application))
    letter = tab.locator("#id_cover_letter")
    letter.click()
    tab.keyboard.press("End")
    tab.keyboard.type(" Et une suite tapée au clavier.", delay=15)
    status = tab.locator("[data-autosave-status]")
    status.filter(has_text="Saved at 10:00.").wait_for(timeout=10_000)
    tab.reload()
    assert tab.locator("#id_cover_letter").input_value() == (
        "Première version. Et une suite tapée au clavier."
    )
    application.refresh_from_db()
    assert application.cover_letter.endswith("Et une suite tapée au clavier.")


def test_leaving_a_field_saves_at_once_and_a_refusal_keeps_the_text(
    browser: Any, live_server: LiveServer, candidate: User, nord: Campaign
) -> None:
    application = ready_application(candidate, nord)
    tab = candidate_page(browser, live_server, candidate)
    tab.goto(live_server.url + page(application))
    project = PROFESSIONAL_PROJECT + " Et une précision."
    tab.locator("#id_professional_project").fill(project)
    with tab.expect_response(lambda answer: answer.request.method == "POST", timeout=1500):
        tab.keyboard.press("Tab")  # sooner than the pause of two seconds
    status = tab.locator("[data-autosave-status]")
    status.filter(has_text="Saved at").wait_for(timeout=5_000)
    application.refresh_from_db()
    assert application.professional_project == project

    submit(application, by=candidate)  # from another tab, say
    letter = tab.locator("#id_cover_letter")
    letter.fill("Une lettre écrite trop tard.")
    letter.blur()
    status.filter(has_text="Not saved: This application was submitted").wait_for(timeout=5_000)
    assert "error" in (status.get_attribute("class") or "")
    assert letter.input_value() == "Une lettre écrite trop tard."
    application.refresh_from_db()
    assert application.cover_letter != "Une lettre écrite trop tard."


def test_the_answers_are_json_the_script_can_read(
    signed_in: Client, application: Application
) -> None:
    # The script reads these exact keys: a renamed key would break it silently.
    ok = signed_in.post(page(application), form_data(cover_letter="Clés."), **JSON)
    refused = signed_in.post(page(application), form_data(cover_letter="z" * 20_001), **JSON)
    assert {"saved_at", "saved_time", "changed"} <= set(json.loads(ok.content))
    assert {"errors", "message", "saved_time"} <= set(json.loads(refused.content))
