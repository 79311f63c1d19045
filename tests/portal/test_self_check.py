"""The public eligibility self-check page: no account, the rules' answer in the reader's words."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.catalog.models import Campaign
from tests.factories import IN_NORD_CAMPAIGN, load_preset, programme_of


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def bs(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-bs")


def url(language: str = "fr") -> str:
    with translation.override(language):
        return reverse("portal:self_check")


def answers(campaign: Campaign, slug: str | None = None, **changes: Any) -> dict[str, Any]:
    data = {
        "offer": f"{campaign.pk}:{programme_of(campaign, slug).pk}",
        "track": "full_time",
        "nationality": "FR",
        "residence_country": "FR",
        "permit_kind": "",
        "permit_valid_until": "",
        "years_in_france": "",
        "diploma_level": "5",
        "diploma_kind": "cti_engineering",
        "diploma_country": "FR",
        "diploma_status": "obtained",
        "diploma_year": "2020",
        "experience_years": "0",
        "french_certificate": "",
        "french_level": "",
    }
    data.update(changes)
    return data


def test_the_page_lists_open_programmes_without_an_account(client: Client, nord: Campaign) -> None:
    response = client.get(url("en"))
    body = response.content.decode()
    assert response.status_code == 200
    assert programme_of(nord).name_en in body
    assert '<label for="id_nationality">' in body


def test_an_eligible_candidate_sees_the_route(client: Client, nord: Campaign) -> None:
    response = client.post(url("en"), answers(nord))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Eligible" in body
    assert "Engineering degree accredited by the CTI" in body


def test_a_derogatory_route_says_a_vapp_file_is_required(client: Client, nord: Campaign) -> None:
    response = client.post(
        url("en"),
        answers(nord, diploma_level="3", diploma_kind="licence", experience_years="3"),
    )
    body = response.content.decode()
    assert "VAPP file required" in body
    assert "derogatory route" in body


def test_every_reason_is_given_when_not_eligible(client: Client, bs: Campaign) -> None:
    # A first-time non-EU student, Bac+3 without experience, applying to work-study.
    response = client.post(
        url("en"),
        answers(
            bs,
            "ms-transformation-digitale",
            track="work_study",
            nationality="SN",
            residence_country="SN",
            diploma_level="3",
            diploma_kind="licence",
            diploma_country="SN",
        ),
    )
    body = response.content.decode()
    assert "Not eligible" in body
    assert "first-time international students" in body
    assert "This programme requires" in body


def test_the_answer_in_french(client: Client, nord: Campaign) -> None:
    body = html.unescape(client.post(url("fr"), answers(nord)).content.decode())
    assert "Vous relevez de la voie d'accès «\u00a0Diplôme d'ingénieur habilité par la CTI" in body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nationality": "XX"}, "nationality"),
        ({"permit_kind": "student", "permit_valid_until": "2024-02-30"}, "permit_valid_until"),
        ({"permit_kind": "student", "residence_country": "BE"}, "permit_kind"),
        ({"diploma_level": "12"}, "diploma_level"),
        ({"experience_years": "-1"}, "experience_years"),
        ({"experience_years": "2.25"}, "experience_years"),
        ({"diploma_year": "1850"}, "diploma_year"),
        ({"diploma_kind": "foreign", "diploma_country": "FR"}, "diploma_country"),
        ({"french_certificate": "DELF"}, "french_level"),
        ({"offer": "999:999"}, "offer"),
    ],
)
def test_bad_answers_are_explained_and_kept(
    client: Client, nord: Campaign, changes: dict[str, str], field: str
) -> None:
    data = answers(nord, **changes)
    response = client.post(url("en"), data)
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert f'href="#id_{field}' in body
    assert "Eligible" not in body


def test_no_open_campaign_says_so(client: Client, db: None) -> None:
    response = client.get(url("en"))
    assert "No programme is open to applications" in response.content.decode()
