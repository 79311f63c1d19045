"""/api/v1/me/profile: the candidate's profile over the API, checked by the web pages' forms."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, TestCase

from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from tests.accounts.conftest import PASSWORD, link
from tests.api.test_eligibility import PROGRAMME
from tests.api.texts import french
from tests.factories import EducationFactory, UserFactory, WorkPeriodFactory, programme_of
from tests.services.smtp import SmtpServer

BASE = "/api/v1/me/profile"

IDENTITY = {
    "given_names": "Amina",
    "family_name": "Diallo",
    "birth_date": "1996-03-14",
    "birth_place": "Dakar (Sénégal)",
    "phone": "+221 77 000 00 00",
    "address": "12 rue de Lille, 59000 Lille",
}
DIPLOMA = {
    "level": 5,
    "diploma_kind": "cti_engineering",
    "title": "Diplôme d'ingénieur généraliste",
    "school": "École Centrale de Lille",
    "country": "FR",
    "year": 2020,
    "status": "obtained",
}
JOB = {"employer": "Acme", "position": "Ingénieure", "start": "2020-09-01", "end": None}


def send(client: Client, method: str, url: str, data: Any = None, language: str = "") -> Any:
    headers = {"Accept-Language": language} if language else {}
    token = client.cookies.get("csrftoken")
    if token is not None:
        headers["X-CSRFToken"] = token.value
    call = getattr(client, method)
    if data is None:
        return call(url, headers=headers)
    return call(url, data, content_type="application/json", headers=headers)


def errors_of(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_failed"
    return {detail["field"]: detail["message"] for detail in response.json()["details"]}


@pytest.fixture
def newcomer(db: None) -> User:
    return UserFactory(email="amina@example.org")


@pytest.fixture
def me(client: Client, newcomer: User) -> Client:
    client.force_login(newcomer)
    return client


def test_signing_in_is_required(client: Client, db: None) -> None:
    for method, url in (("get", BASE), ("put", f"{BASE}/identity"), ("post", f"{BASE}/work")):
        response = send(client, method, url, {} if method != "get" else None)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_an_empty_profile(me: Client, clock: Any) -> None:
    body = send(me, "get", BASE, language="en").json()
    assert body["identity"] == {
        "given_names": "",
        "family_name": "",
        "birth_date": None,
        "birth_place": "",
        "phone": "",
        "address": "",
    }
    assert body["education"] == []
    assert body["work_periods"] == []
    assert body["experience"]["days"] == 0
    assert body["experience"]["text"] == "none"
    assert [(s["key"], s["done"]) for s in body["sections"]] == [
        ("identity", False),
        ("residence", False),
        ("education", False),
    ]
    assert body["complete"] is False


def test_identity_is_checked_by_the_form_and_nothing_saved_is_lost(
    me: Client, newcomer: User, clock: Any
) -> None:
    saved = send(me, "put", f"{BASE}/identity", IDENTITY)
    assert saved.status_code == 200
    assert saved.json() == IDENTITY
    assert send(me, "get", f"{BASE}/identity").json() == IDENTITY

    wrong = {**IDENTITY, "given_names": "", "birth_date": "2031-01-01"}
    assert errors_of(send(me, "put", f"{BASE}/identity", wrong, "en")) == {
        "given_names": "This field is required.",
        "birth_date": "Your date of birth cannot be in the future.",
    }
    assert errors_of(send(me, "put", f"{BASE}/identity", wrong, "fr")) == {
        "given_names": french("This field is required."),
        "birth_date": french("Your date of birth cannot be in the future."),
    }
    young = {**IDENTITY, "birth_date": "2015-01-01"}
    assert errors_of(send(me, "put", f"{BASE}/identity", young, "en")) == {
        "birth_date": "This date makes you younger than 16: check your date of birth."
    }
    profile = CandidateProfile.objects.get(user=newcomer)
    assert (profile.given_names, profile.birth_date) == ("Amina", dt.date(1996, 3, 14))


def test_types_are_checked_before_the_form(me: Client, db: None) -> None:
    response = send(me, "put", f"{BASE}/identity", {**IDENTITY, "birth_date": "14/03/1996"}, "fr")
    assert errors_of(response) == {"birth_date": french("Enter a valid date.")}
    extra = send(me, "put", f"{BASE}/identity", {**IDENTITY, "nickname": "Ami"}, "en")
    assert errors_of(extra) == {"nickname": "This field is not expected: remove it."}


def test_free_text_is_bounded_in_the_schema_and_the_form(me: Client, newcomer: User) -> None:
    huge = {**IDENTITY, "address": "x" * 100_000, "given_names": "A" * 100_000}
    assert errors_of(send(me, "put", f"{BASE}/identity", huge, "en")) == {
        "address": "Enter at most 500 characters.",
        "given_names": "Enter at most 150 characters.",
    }
    job = {**JOB, "employer": "E" * 100_000}
    assert errors_of(send(me, "post", f"{BASE}/work", job, "en")) == {
        "employer": "Enter at most 200 characters."
    }
    assert not CandidateProfile.objects.filter(user=newcomer, address__startswith="xxx").exists()


def test_the_phone_number_is_checked(me: Client, newcomer: User) -> None:
    wrong = {**IDENTITY, "phone": "call me maybe"}
    message = errors_of(send(me, "put", f"{BASE}/identity", wrong, "en"))["phone"]
    assert message.startswith("Enter a phone number: 6 to 15 digits")
    assert send(me, "put", f"{BASE}/identity", IDENTITY).status_code == 200


def test_residence_and_permit(me: Client, newcomer: User, clock: Any) -> None:
    senegalese = {
        "nationality": "sn",
        "residence_country": "FR",
        "permit_kind": "student",
        "permit_valid_until": "2025-09-30",
        "in_france_since": "2021-09-01",
    }
    saved = send(me, "put", f"{BASE}/residence", senegalese)
    assert saved.status_code == 200
    assert saved.json() == {**senegalese, "nationality": "SN"}

    french_with_permit = {**senegalese, "nationality": "FR"}
    assert errors_of(send(me, "put", f"{BASE}/residence", french_with_permit, "en")) == {
        "permit_kind": "French nationals do not need a residence permit."
    }
    no_date = {**senegalese, "permit_valid_until": None}
    assert errors_of(send(me, "put", f"{BASE}/residence", no_date, "en")) == {
        "permit_valid_until": "Give the date until which your residence permit is valid."
    }
    unknown = {**senegalese, "nationality": "XX", "permit_kind": "tourist"}
    details = send(me, "put", f"{BASE}/residence", unknown, "en").json()["details"]
    assert details[0]["field"] == "permit_kind"
    assert details[0]["choices"] == ["", "student", "other"]
    assert CandidateProfile.objects.get(user=newcomer).nationality == "SN"


def test_french_level(me: Client, clock: Any) -> None:
    saved = send(me, "put", f"{BASE}/french", {"french_certificate": "DELF", "french_level": "B2"})
    assert saved.json() == {"french_certificate": "DELF", "french_level": "B2"}
    assert errors_of(send(me, "put", f"{BASE}/french", {"french_certificate": "TCF"}, "en")) == {
        "french_level": "Give the level written on your certificate."
    }
    assert send(me, "get", f"{BASE}/french").json()["french_level"] == "B2"


def test_education_entries(me: Client, newcomer: User, clock: Any) -> None:
    created = send(me, "post", f"{BASE}/education", DIPLOMA)
    assert created.status_code == 201
    entry = created.json()
    assert entry == {"id": entry["id"], **DIPLOMA}
    url = f"{BASE}/education/{entry['id']}"

    mismatch = {**DIPLOMA, "level": 3}
    assert errors_of(send(me, "put", url, mismatch, "en")) == {
        "level": "This kind of diploma is at level Bac+5."
    }
    future = {**DIPLOMA, "year": 2031}
    assert errors_of(send(me, "post", f"{BASE}/education", future, "en")) == {
        "year": "Enter a year between 1950 and 2025."
    }
    changed = send(me, "put", url, {**DIPLOMA, "school": "IMT Nord Europe"})
    assert changed.json()["school"] == "IMT Nord Europe"
    assert [e["id"] for e in send(me, "get", f"{BASE}/education").json()] == [entry["id"]]
    assert send(me, "get", url).json()["school"] == "IMT Nord Europe"

    assert send(me, "delete", url).status_code == 204
    assert send(me, "get", url).status_code == 404
    assert not Education.objects.exists()


def test_work_periods_and_experience(me: Client, clock: Any) -> None:
    first = send(me, "post", f"{BASE}/work", {**JOB, "end": "2021-08-31"}).json()
    send(me, "post", f"{BASE}/work", {**JOB, "employer": "Globex", "start": "2021-09-01"})
    experience = send(me, "get", f"{BASE}/experience", language="en").json()
    # 2020-09-01 to 2024-02-12 (the day of the check), worked every day.
    assert experience["on"] == "2024-02-12"
    assert (experience["months"], experience["extra_days"]) == (41, 12)
    assert experience["text"] == "3 years 5 months"
    assert experience["years"] == "3.4511"  # 41 months and 12 days of February's 29
    french = send(me, "get", f"{BASE}/experience", language="fr").json()
    assert french["text"] == "3 ans 5 mois"

    url = f"{BASE}/work/{first['id']}"
    backwards = {**JOB, "start": "2021-01-01", "end": "2020-01-01"}
    assert errors_of(send(me, "put", url, backwards, "en")) == {
        "end": "The end date is before the start date."
    }
    assert send(me, "put", url, {**JOB, "end": "2020-12-31"}).json()["end"] == "2020-12-31"
    assert len(send(me, "get", f"{BASE}/work").json()) == 2
    assert send(me, "delete", url).status_code == 204
    assert WorkPeriod.objects.count() == 1


def test_another_candidates_entries_are_not_found(me: Client, clock: Any) -> None:
    diploma = EducationFactory()
    job = WorkPeriodFactory(profile=diploma.profile)
    for url, body in (
        (f"{BASE}/education/{diploma.pk}", DIPLOMA),
        (f"{BASE}/work/{job.pk}", JOB),
    ):
        assert send(me, "get", url).status_code == 404
        assert send(me, "put", url, body).status_code == 404
        deleted = send(me, "delete", url, language="en")
        assert deleted.status_code == 404
        assert deleted.json() == {"code": "not_found", "message": "Not found.", "details": None}
    diploma.refresh_from_db()
    job.refresh_from_db()
    assert (diploma.title, job.employer) == ("Diplôme d'ingénieur", "Acme")
    assert send(me, "get", f"{BASE}/education").json() == []


def test_the_openapi_document_types_the_profile(client: Client, db: None) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    expected = {
        BASE: {"get"},
        f"{BASE}/identity": {"get", "put"},
        f"{BASE}/residence": {"get", "put"},
        f"{BASE}/french": {"get", "put"},
        f"{BASE}/experience": {"get"},
        f"{BASE}/education": {"get", "post"},
        f"{BASE}/education/{{entry_id}}": {"get", "put", "delete"},
        f"{BASE}/work": {"get", "post"},
        f"{BASE}/work/{{period_id}}": {"get", "put", "delete"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    schemas = spec["components"]["schemas"]
    assert {"IdentityIn", "ResidenceIn", "EducationIn", "WorkPeriodIn", "ProfileOut"} <= set(
        schemas
    )
    assert schemas["EducationIn"]["properties"]["year"]["type"] == "integer"
    assert schemas["WorkPeriodIn"]["properties"]["start"]["format"] == "date"
    put = paths[f"{BASE}/identity"]["put"]
    assert {"200", "401", "422"} <= set(put["responses"])
    assert put["security"]


def test_the_journey_up_to_the_pre_submission_check_through_the_api(
    smtp_inbox: SmtpServer, nord: Campaign
) -> None:
    cache.clear()  # allauth counts sign-up attempts in the cache
    browser = Client(enforce_csrf_checks=True)
    # Signing up and confirming the address are done on the web pages.
    browser.get("/en/accounts/signup/")
    # The verification email leaves the outbox once the sign-up commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        signed_up = browser.post(
            "/en/accounts/signup/",
            {
                "email": "amina@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"].value,
            },
        )
    assert signed_up.status_code == 302
    confirm = link(smtp_inbox.received[0], "confirm-email")
    browser.get(confirm)
    confirmed = browser.post(confirm, {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    assert confirmed.status_code == 302

    # From here on, the API only; the account was made in English, so it answers in English.
    assert send(browser, "put", f"{BASE}/identity", IDENTITY).status_code == 200
    residence = {"nationality": "FR", "residence_country": "FR"}
    assert send(browser, "put", f"{BASE}/residence", residence).status_code == 200
    assert send(browser, "post", f"{BASE}/education", DIPLOMA).status_code == 201
    assert send(browser, "post", f"{BASE}/work", JOB).status_code == 201
    profile = send(browser, "get", BASE)
    assert profile["Content-Language"] == "en"
    assert profile.json()["complete"] is True
    experience = profile.json()["experience"]

    eligibility = send(
        browser,
        "post",
        "/api/v1/eligibility/check",
        {
            "institution": "imt-nord-europe",
            "programme": PROGRAMME,
            "track": "full_time",
            "nationality": residence["nationality"],
            "residence_country": residence["residence_country"],
            "diploma": {
                "level": DIPLOMA["level"],
                "kind": DIPLOMA["diploma_kind"],
                "country": DIPLOMA["country"],
                "year": DIPLOMA["year"],
            },
            "experience_years": str(
                Decimal(experience["years"]).quantize(Decimal("0.1"), ROUND_DOWN)
            ),
        },
    )
    assert eligibility.status_code == 200
    assert eligibility.json()["eligible"] is True

    programme = programme_of(nord, PROGRAMME)
    created = send(
        browser,
        "post",
        "/api/v1/applications",
        {
            "campaign_id": nord.pk,
            "programme_id": programme.pk,
            "track": "full_time",
            "financing_mode": "personnel",
        },
    )
    assert created.status_code == 201
    reference = created.json()["reference"]
    check = send(browser, "get", f"/api/v1/applications/{reference}/check")
    assert check.status_code == 200
    assert check.json()["ready"] is False
    problems = {problem["code"] for problem in check.json()["problems"]}
    assert {"missing_document", "fee_unpaid"} <= problems
    fee = next(p for p in check.json()["problems"] if p["code"] == "fee_unpaid")
    assert fee["message"].startswith("The application fee is not paid yet.")  # in English
