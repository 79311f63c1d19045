"""POST /api/v1/eligibility/check: the public self-check as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from admissions.catalog.models import Campaign
from tests.factories import rulebook_raw

URL = "/api/v1/eligibility/check"
PROGRAMME = rulebook_raw("imt-nord-europe")["programmes"][0]["slug"]


def payload(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "institution": "imt-nord-europe",
        "programme": PROGRAMME,
        "track": "full_time",
        "nationality": "FR",
        "residence_country": "FR",
        "diploma": {"level": 5, "kind": "cti_engineering", "country": "FR", "year": 2020},
        "experience_years": "0",
    }
    data.update(changes)
    return data


def post(client: Client, data: dict[str, Any]) -> Any:
    return client.post(URL, data, content_type="application/json")


@pytest.fixture(autouse=True)
def _open(nord: Campaign) -> None:
    """IMT Nord Europe's campaign is loaded and open for every test here."""


def test_an_eligible_answer_with_its_route(client: Client) -> None:
    response = post(client, payload())
    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is True
    assert body["campaign"] == "2024-2025"
    assert body["route"]["code"] == "ingenieur-cti"
    assert body["route"]["label"]["fr"].startswith("Diplôme d'ingénieur")
    assert body["implications"]["deadline"] == "2024-06-07"
    assert body["reasons"] == []
    assert {note["code"] for note in body["notes"]} >= {"route"}


def test_a_derogatory_route_implies_a_vapp_file(client: Client) -> None:
    data = payload(
        diploma={"level": 3, "kind": "licence", "country": "FR", "year": 2015},
        experience_years="3",
    )
    body = post(client, data).json()
    assert body["eligible"] is True
    assert body["route"]["kind"] == "derogatory"
    assert body["implications"]["vapp_required"] is True


def test_a_candidate_abroad_gets_the_international_deadline(client: Client) -> None:
    body = post(client, payload(nationality="MA", residence_country="MA")).json()
    assert body["implications"]["international_deadline"] is True
    assert body["implications"]["deadline"] == "2024-03-17"
    assert body["implications"]["campus_france"] is True


def test_every_reason_when_not_eligible(client: Client, bs: Campaign) -> None:
    data = payload(
        institution="imt-bs",
        programme="ms-transformation-digitale",
        track="work_study",
        nationality="SN",
        residence_country="SN",
        diploma={"level": 3, "kind": "licence", "country": "SN"},
    )
    body = post(client, data).json()
    assert body["eligible"] is False
    assert [reason["code"] for reason in body["reasons"]] == [
        "international_restriction",
        "no_entry_route",
    ]
    assert "first-time international students" in body["reasons"][0]["text"]["en"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"nationality": "XX"}, "nationality"),
        ({"residence_country": "France"}, "residence_country"),
        ({"diploma": {"level": 12, "kind": "licence", "country": "FR"}}, "diploma.level"),
        ({"diploma": {"level": 5, "kind": "phd", "country": "FR"}}, "diploma.kind"),
        ({"diploma": {"level": 5, "kind": "licence", "country": "ZZ"}}, "diploma.country"),
        (
            {"permit": {"kind": "student", "valid_until": "2024-02-30", "years_in_france": 1}},
            "permit.valid_until",
        ),
        ({"experience_years": "-2"}, "experience_years"),
        ({"track": "part_time"}, "track"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: Client, changes: dict[str, Any], field: str
) -> None:
    response = post(client, payload(**changes))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert field in [detail["field"] for detail in body["details"]]


def test_missing_fields_are_named(client: Client) -> None:
    response = post(client, {"institution": "imt-nord-europe"})
    assert response.status_code == 422
    fields = {detail["field"] for detail in response.json()["details"]}
    assert {"programme", "track", "nationality", "diploma"} <= fields


def test_contradicting_answers_are_a_422(client: Client) -> None:
    # A residence permit in France for someone living in Belgium.
    data = payload(
        nationality="SN",
        residence_country="BE",
        permit={"kind": "student", "valid_until": "2025-01-31", "years_in_france": "1"},
    )
    response = post(client, data)
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "permit"


def test_unknown_institution_or_programme(client: Client) -> None:
    unknown = post(client, payload(institution="nowhere", programme=PROGRAMME))
    assert unknown.status_code == 422
    assert unknown.json()["details"][0]["field"] == "institution"
    missing = post(client, payload(programme="ms-underwater-basket-weaving"))
    assert missing.status_code == 422
    assert missing.json()["details"][0]["field"] == "programme"


def test_not_json_is_a_clear_error(client: Client) -> None:
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert "code" in response.json()


@pytest.mark.parametrize("field", ["institution", "programme", "campaign", "nationality"])
def test_a_value_of_100000_characters_is_refused_by_its_length(client: Client, field: str) -> None:
    response = client.post(
        URL,
        payload(**{field: "x" * 100_000}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    details = {detail["field"]: detail for detail in response.json()["details"]}
    assert details[field]["type"] == "string_too_long"
    assert details[field]["message"].startswith("Enter at most ")
