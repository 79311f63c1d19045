"""The API answers in the reader's language: Accept-Language, then the user's preference."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from admissions.catalog.models import Campaign
from admissions.core.middleware import language_from_header
from admissions.people.models import User
from admissions.rules.deadlines import PARIS
from tests.api.test_applications import create_body
from tests.api.test_eligibility import URL as CHECK_URL
from tests.api.test_eligibility import payload
from tests.api.texts import french
from tests.factories import programme_of, ready_application

APPLICATIONS = "/api/v1/applications"


def post(client: Client, url: str, data: Any, language: str | None = None) -> Any:
    headers = {"Accept-Language": language} if language else {}
    return client.post(url, data, content_type="application/json", headers=headers)


def details_by_field(response: Any) -> dict[str, str]:
    return {detail["field"]: detail["message"] for detail in response.json()["details"]}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE, en;q=0.5, fr;q=0.7", "fr"),
        ("fr;q=0, en", "en"),
        ("FR-ca", "fr"),
        ("de, it;q=0.8", None),
        ("*", None),
        ("en;q=nonsense", None),
        ("", None),
    ],
)
def test_the_language_a_header_asks_for(header: str, language: str | None) -> None:
    assert language_from_header(header) == language


# Validation errors (422) -------------------------------------------------------------------


def test_a_validation_error_in_english(client: Client, nord: Campaign) -> None:
    data = payload(
        track="weekends",
        nationality="XX",
        permit={"kind": "student", "valid_until": "2024-02-30", "years_in_france": 1},
        unexpected=1,
    )
    del data["diploma"]
    response = post(client, CHECK_URL, data, "en-GB,en;q=0.9")
    assert response.status_code == 422
    assert response["Content-Language"] == "en"
    body = response.json()
    assert body["message"] == "Some values are missing or wrong."
    assert details_by_field(response) == {
        "track": "Select a valid choice. That choice is not one of the available choices.",
        "nationality": "“XX” is not a known country code. Choose a country from the list.",
        "permit.valid_until": "Enter a valid date.",
        "diploma": "This field is required.",
        "unexpected": "This field is not expected: remove it.",
    }
    track = next(detail for detail in body["details"] if detail["field"] == "track")
    assert track["type"] == "enum"
    assert track["choices"] == ["full_time", "work_study"]


def test_a_validation_error_in_french(client: Client, nord: Campaign) -> None:
    data = payload(
        track="weekends",
        nationality="XX",
        permit={"kind": "student", "valid_until": "2024-02-30", "years_in_france": 1},
    )
    del data["diploma"]
    response = post(client, CHECK_URL, data, "fr-FR,fr;q=0.9,en;q=0.5")
    assert response.status_code == 422
    assert response["Content-Language"] == "fr"
    assert response.json()["message"] == "Certaines valeurs sont manquantes ou incorrectes."
    assert details_by_field(response) == {
        "track": french("Select a valid choice. That choice is not one of the available choices."),
        "nationality": (
            "«\u00a0XX\u00a0» n’est pas un code de pays connu. Choisissez un pays dans la liste."
        ),
        "permit.valid_until": french("Enter a valid date."),
        "diploma": french("This field is required."),
    }


def test_bounds_and_lengths_are_explained(api: Client, nord: Campaign) -> None:
    too_long = post(api, APPLICATIONS, create_body(nord, financing_mode="x" * 61), "en")
    assert too_long.status_code == 422
    assert details_by_field(too_long) == {"financing_mode": "Enter at most 60 characters."}
    checked = post(
        api,
        CHECK_URL,
        payload(
            experience_years="-2", diploma={"level": "five", "kind": "licence", "country": "FR"}
        ),
        "en",
    )
    assert details_by_field(checked) == {
        "experience_years": "Ensure this value is greater than or equal to 0.",
        "diploma.level": "Enter a whole number.",
    }
    in_french = post(api, CHECK_URL, payload(experience_years="-2"), "fr")
    assert details_by_field(in_french) == {
        "experience_years": french(
            "Ensure this value is greater than or equal to %(limit_value)s.", limit_value=0
        )
    }


# Domain errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This programme is not open to applications in this campaign."),
        ("fr", "Ce programme n’est pas ouvert aux candidatures dans cette campagne."),
    ],
)
def test_an_eligibility_refusal_in_each_language(
    client: Client, nord: Campaign, language: str, message: str
) -> None:
    response = post(client, CHECK_URL, payload(programme="ms-nowhere"), language)
    assert response.status_code == 422
    assert response["Content-Language"] == language
    assert response.json()["message"] == message
    assert details_by_field(response) == {"programme": message}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "You already have an application to this programme in this campaign"),
        ("fr", "Vous avez déjà une candidature à ce programme dans cette campagne"),
    ],
)
def test_a_second_application_in_each_language(
    api: Client, nord: Campaign, language: str, message: str
) -> None:
    assert post(api, APPLICATIONS, create_body(nord), language).status_code == 201
    again = post(api, APPLICATIONS, create_body(nord), language)
    assert again.status_code == 409
    assert again["Content-Language"] == language
    assert again.json()["code"] == "duplicate_application"
    assert again.json()["message"].startswith(message)


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "can no longer be submitted"), ("fr", "elle ne peut plus être soumise")],
)
def test_submitting_after_the_deadline_in_each_language(
    api: Client,
    candidate: User,
    nord: Campaign,
    clock: time_machine.Coordinates,
    language: str,
    words: str,
) -> None:
    application = ready_application(candidate, nord, programme_of(nord))
    clock.move_to(dt.datetime(2024, 6, 8, 0, 0, 1, tzinfo=PARIS))
    late = post(api, f"{APPLICATIONS}/{application.reference}/submit", {}, language)
    assert late.status_code == 409
    assert late["Content-Language"] == language
    assert late.json()["code"] == "deadline_passed"
    assert words in late.json()["message"]


# Where the language comes from -------------------------------------------------------------


def test_without_a_header_the_users_preference_then_french(
    client: Client, candidate: User, nord: Campaign
) -> None:
    anonymous = post(client, CHECK_URL, payload(programme="ms-nowhere"))
    assert anonymous["Content-Language"] == "fr"
    assert anonymous.json()["message"].startswith("Ce programme")

    candidate.preferred_language = "en"
    candidate.save()
    client.force_login(candidate)
    preferred = post(client, CHECK_URL, payload(programme="ms-nowhere"))
    assert preferred["Content-Language"] == "en"
    assert preferred.json()["message"].startswith("This programme")
    unsupported = post(client, CHECK_URL, payload(programme="ms-nowhere"), "de")
    assert unsupported["Content-Language"] == "en"

    # The header wins over the preference.
    asked = post(client, CHECK_URL, payload(programme="ms-nowhere"), "fr")
    assert asked["Content-Language"] == "fr"
    assert asked.json()["message"].startswith("Ce programme")


def test_not_signed_in_in_each_language(client: Client) -> None:
    english = client.get(APPLICATIONS, headers={"Accept-Language": "en"})
    assert english.status_code == 401
    assert english.json()["message"] == "Please sign in."
    assert "Accept-Language" in english["Vary"]
    in_french = client.get(APPLICATIONS, headers={"Accept-Language": "fr"})
    assert in_french.json()["message"] == french("Please sign in.")


def test_the_web_pages_keep_their_own_rule(client: Client, nord: Campaign) -> None:
    # An unprefixed page is French whatever the browser asks; /en/ is the English site.
    assert client.get("/", headers={"Accept-Language": "en"})["Content-Language"] == "fr"
    assert client.get("/en/", headers={"Accept-Language": "fr"})["Content-Language"] == "en"


def test_what_ninja_refuses_is_told_in_each_language(nord: Campaign, candidate: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(candidate)
    no_token = post(browser, APPLICATIONS, create_body(nord), "fr")
    assert no_token.status_code == 403
    assert no_token.json()["code"] == "csrf_failed"
    assert no_token.json()["message"] == (french("CSRF verification failed. Request aborted."))
    for language, message in (
        ("en", "Enter a valid JSON."),
        ("fr", french("Enter a valid JSON.")),
    ):
        broken = post(browser, CHECK_URL, "{not json", language)
        assert broken.status_code == 400
        assert broken.json() == {"code": "malformed_body", "message": message, "details": None}


def test_the_language_does_not_outlive_the_request(client: Client, nord: Campaign) -> None:
    translation.activate("fr")
    english = post(client, CHECK_URL, payload(programme="ms-nowhere"), "en")
    assert english["Content-Language"] == "en"
    assert translation.get_language() == "fr"
