from __future__ import annotations

from django.test import Client

from admissions.catalog.models import Campaign

URL = "/api/v1/payments/simulate"


def test_simulate_a_self_funded_cybersecurity_candidate(
    client: Client, nord_campaign: Campaign
) -> None:
    answer = client.get(
        URL,
        {
            "institution": "test-nord",
            "programme": "cyber",
            "financing_mode": "personal",
            "track": "full_time",
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["total_cents"] == 916_000
    assert body["currency"] == "EUR"
    assert body["category"] == "personal"
    assert body["lines"] == [
        {"charge_kind": "application_fee", "amount_cents": 6_000, "due": "application"},
        {"charge_kind": "tuition", "amount_cents": 900_000, "due": "registration"},
        {"charge_kind": "cvec", "amount_cents": 10_000, "due": "registration"},
    ]
    assert body["instalments"] == [
        {"number": 1, "amount_cents": 300_000, "month_offset": 0, "due": "registration"},
        {"number": 2, "amount_cents": 300_000, "month_offset": 4, "due": None},
        {"number": 3, "amount_cents": 300_000, "month_offset": 8, "due": None},
    ]


def test_simulate_a_work_study_deposit(client: Client, bs_campaign: Campaign) -> None:
    body = client.get(
        URL,
        {
            "institution": "test-bs",
            "programme": "management",
            "financing_mode": "opco",
            "track": "work_study",
        },
    ).json()
    assert {line["charge_kind"]: line["amount_cents"] for line in body["lines"]} == {
        "application_fee": 8_000,
        "deposit": 45_000,
        "tuition": 1_850_000,
    }


def test_choices_the_rulebook_does_not_offer(
    client: Client, nord_campaign: Campaign, bs_campaign: Campaign
) -> None:
    base = {
        "institution": "test-nord",
        "programme": "data",
        "financing_mode": "personal",
        "track": "full_time",
    }
    unknown = client.get(URL, {**base, "programme": "nope"})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_programme"
    mode = client.get(URL, {**base, "financing_mode": "nope"})
    assert (mode.status_code, mode.json()["code"]) == (422, "unknown_financing_mode")
    assert mode.json()["details"][0]["field"] == "financing_mode"
    track = client.get(URL, {**base, "track": "work_study"})
    assert (track.status_code, track.json()["code"]) == (422, "track_not_offered")
    bad_track = client.get(URL, {**base, "track": "part_time"})
    assert (bad_track.status_code, bad_track.json()["code"]) == (422, "validation_failed")
    missing = client.get(URL, {"institution": "test-nord"})
    assert missing.status_code == 422
    not_for_track = client.get(
        URL,
        {
            "institution": "test-bs",
            "programme": "management",
            "financing_mode": "opco",
            "track": "full_time",
        },
    )
    assert (not_for_track.status_code, not_for_track.json()["code"]) == (422, "mode_not_for_track")


def test_the_simulator_is_in_the_openapi_document(client: Client, db: None) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/payments/simulate"]["get"]
    assert operation["summary"] == "Cost simulator"
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert parameters == {"institution", "programme", "financing_mode", "track"}
    assert "422" in operation["responses"]
