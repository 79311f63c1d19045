"""Personal API tokens: made and revoked by their owner, hashed at rest, shown once, scoped,
and for staff only with a code of their authenticator app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.test import Client

from admissions.catalog.models import Campaign
from admissions.people.models import ApiToken, Role, User
from admissions.people.tokens import digest_of
from tests.factories import staff_member

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _forget_used_codes() -> None:
    """A code is accepted once (allauth keeps the used ones in the cache): tests start afresh."""
    cache.clear()


def totp_now(secret: str) -> str:
    """RFC 6238, as an authenticator app computes it."""
    key = base64.b32decode(secret)
    counter = int(time.time()) // 30
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def make(client: Client, **body: object) -> dict:
    response = client.post("/api/v1/me/tokens", body, content_type="application/json")
    return {"status": response.status_code, **response.json()}


def test_a_candidate_makes_a_token_shown_once_and_kept_only_as_a_digest(
    api: Client, candidate: User
) -> None:
    made = make(api, name="my script")
    assert made["status"] == 201
    text = made["token"]
    assert text.startswith("adm_")
    kept = ApiToken.objects.get(pk=made["id"])
    assert kept.digest == digest_of(text)
    assert text not in (kept.digest, kept.key_id)
    listed = api.get("/api/v1/me/tokens").json()
    assert [row["name"] for row in listed] == ["my script"]
    assert "token" not in listed[0]
    assert listed[0]["last_used_at"] is None


def test_a_token_signs_in_records_its_use_and_stops_once_revoked(
    api: Client, candidate: User, nord: Campaign
) -> None:
    made = make(api, name="reader")
    other = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {made['token']}"}
    assert other.get("/api/v1/applications", **bearer).status_code == 200
    assert ApiToken.objects.get(pk=made["id"]).last_used_at is not None
    assert api.delete(f"/api/v1/me/tokens/{made['id']}").status_code == 200
    refused = other.get("/api/v1/applications", **bearer)
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_token"


def test_a_read_token_may_not_write_and_a_write_token_may(
    api: Client, candidate: User, nord: Campaign
) -> None:
    reader = make(api, name="reader")["token"]
    writer = make(api, name="writer", scope="write")["token"]
    programme = nord.institution.programmes.first()
    body = {
        "campaign_id": nord.pk,
        "programme_id": programme.pk,
        "track": "full_time",
        "financing_mode": "personnel",
    }
    other = Client(enforce_csrf_checks=True)
    refused = other.post(
        "/api/v1/applications",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {reader}",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_read_only"
    made = other.post(
        "/api/v1/applications",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {writer}",
    )
    assert made.status_code == 201, made.content


def test_a_token_cannot_make_tokens(api: Client, candidate: User) -> None:
    writer = make(api, name="writer", scope="write")["token"]
    other = Client()
    answer = other.post(
        "/api/v1/me/tokens",
        {"name": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {writer}",
    )
    assert answer.status_code == 401


def test_someone_elses_token_cannot_be_revoked(api: Client, candidate: User) -> None:
    made = make(api, name="mine")
    stranger = Client()
    stranger.force_login(staff_member(Role.ADMISSIONS_OFFICER))
    assert stranger.delete(f"/api/v1/me/tokens/{made['id']}").status_code == 404
    assert ApiToken.objects.get(pk=made["id"]).revoked_at is None


def test_staff_need_an_authenticator_then_its_current_code(nord: Campaign) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    client = Client()
    client.force_login(officer)
    without = make(client, name="export")
    assert (without["status"], without["code"]) == (403, "second_factor_required")
    TOTP.activate(officer, SECRET)
    wrong = make(client, name="export", otp_code="000000")
    assert (wrong["status"], wrong["code"]) == (403, "second_factor_invalid")
    made = make(client, name="export", otp_code=totp_now(SECRET), institution=nord.institution.slug)
    assert made["status"] == 201, made
    assert made["institution"] == nord.institution.slug
    again = make(client, name="again", otp_code=totp_now(SECRET))
    assert (again["status"], again["code"]) == (403, "second_factor_invalid")  # spent


def test_staff_cannot_tie_a_token_to_an_institution_they_do_not_work_for(
    nord: Campaign, bs: Campaign
) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    TOTP.activate(officer, SECRET)
    client = Client()
    client.force_login(officer)
    refused = make(client, name="x", otp_code=totp_now(SECRET), institution=bs.institution.slug)
    assert (refused["status"], refused["code"]) == (403, "not_allowed")


@pytest.mark.parametrize("header", ["Bearer adm_nothing_here", "Bearer x", "Bearer "])
def test_a_malformed_or_unknown_token_is_refused(db: None, header: str) -> None:
    answer = Client().get("/api/v1/applications", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_token"
