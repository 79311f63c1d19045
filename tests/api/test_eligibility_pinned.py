"""The public self-check's answers, byte for byte: a change of how they are computed must
not change one character of what is sent.

The answers in `eligibility_pinned.json` were recorded from the API; regenerate them only
for a change of the answer that is meant (`ADMISSIONS_PIN_ANSWERS=1`, then read the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from admissions.catalog.models import Campaign
from tests.api.test_eligibility import payload
from tests.factories import rulebook_raw

URL = "/api/v1/eligibility/check"
PINNED = Path(__file__).with_name("eligibility_pinned.json")


def body(institution: str, **changes: Any) -> dict[str, Any]:
    """The check's questions for the first programme of `institution`'s rulebook."""
    programme = rulebook_raw(institution)["programmes"][0]["slug"]
    return payload(**{"institution": institution, "programme": programme, **changes})


QUESTIONS: dict[str, dict[str, Any]] = {
    "engineer": body("imt-nord-europe"),
    "master, no experience": body(
        "imt-nord-europe", diploma={"level": 5, "kind": "master_m2", "country": "FR", "year": 2020}
    ),
    "licence, 1 year": body(
        "imt-nord-europe",
        diploma={"level": 3, "kind": "licence", "country": "FR", "year": 2020},
        experience_years="1",
    ),
    "licence, 3.5 years": body(
        "imt-nord-europe",
        diploma={"level": 3, "kind": "licence", "country": "FR", "year": 2015},
        experience_years="3.5",
    ),
    "bac+3, 2.5 years, work-study": body(
        "imt-nord-europe",
        track="work_study",
        diploma={"level": 3, "kind": "bachelor_other", "country": "FR", "year": 2012},
        experience_years="2.5",
    ),
    "abroad, expected diploma": body(
        "imt-nord-europe",
        nationality="SN",
        residence_country="SN",
        diploma={"level": 4, "kind": "foreign", "country": "SN", "status": "expected"},
        experience_years="0.5",
    ),
    "permit in France": body(
        "imt-bs",
        nationality="MA",
        residence_country="FR",
        diploma={"level": 5, "kind": "foreign", "country": "MA", "year": 2019},
        permit={"kind": "student", "valid_until": "2025-09-30", "years_in_france": "1.5"},
        experience_years="1",
    ),
    "other diploma, 12 years": body(
        "imt-bs",
        diploma={"level": 2, "kind": "other", "country": "FR", "year": 2010},
        experience_years="12",
    ),
    "unknown programme": body("imt-bs", programme="no-such-programme"),
}


@pytest.fixture(autouse=True)
def _open(nord: Campaign, bs: Campaign) -> None:
    """Both institutions' campaigns loaded, on the day the answers were recorded."""


def answers(client: Client) -> dict[str, str]:
    found = {}
    for name, question in QUESTIONS.items():
        response = client.post(URL, question, content_type="application/json")
        assert response.status_code in (200, 422), (name, response.content)
        found[name] = f"{response.status_code} {response.content.decode()}"
    return found


def test_the_answers_are_those_pinned(client: Client) -> None:
    got = answers(client)
    if os.environ.get("ADMISSIONS_PIN_ANSWERS") == "1":
        PINNED.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    assert set(pinned) == set(QUESTIONS)
    for name, answer in got.items():
        assert answer == pinned[name], name


def test_the_same_question_asked_twice_gets_the_same_bytes(client: Client) -> None:
    assert answers(client) == answers(client)
