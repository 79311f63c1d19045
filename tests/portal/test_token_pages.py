"""The candidate's API tokens page: made with a name and rights, shown once, listed with its
key id and dates, revoked; the token then works, and stops working, on the API."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.people.models import ApiToken, User
from tests.factories import eligible_candidate


def english(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_candidate_makes_sees_once_uses_and_revokes_a_token(db: None) -> None:
    candidate = eligible_candidate()
    client = signed_in(candidate)
    dashboard = client.get(english("portal:dashboard")).content.decode()
    assert english("portal:tokens") in dashboard
    page = client.get(english("portal:tokens")).content.decode()
    assert "You have no token yet." in page
    assert "otp_code" not in page  # a candidate's token needs no second factor
    made = client.post(english("portal:tokens"), {"name": "my script", "scope": "read"})
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    text = re.search(r'id="new-token-text"[^>]*>(adm_[^<]+)<', made.content.decode()).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=candidate)
    assert token.key_id in text
    assert text not in client.get(english("portal:tokens")).content.decode()  # shown once
    listed = client.get(english("portal:tokens")).content.decode()
    assert token.key_id in listed
    assert "Read only" in listed
    api = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert api.get("/api/v1/applications").status_code == 200
    client.post(english("portal:token_revoke", token.pk))
    assert api.get("/api/v1/applications").status_code == 401
    assert "revoked on" in client.get(english("portal:tokens")).content.decode()


def test_a_nameless_token_is_refused_in_french(db: None) -> None:
    client = signed_in(eligible_candidate())
    with translation.override("fr"):
        url = reverse("portal:tokens")
    refused = client.post(url, {"name": "", "scope": "read"})
    assert refused.status_code == 422
    assert "Ce champ est obligatoire." in refused.content.decode()
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_persons_token(db: None, client: Client) -> None:
    owner = eligible_candidate()
    signed_in(owner).post(english("portal:tokens"), {"name": "mine", "scope": "write"})
    token = ApiToken.objects.get(user=owner)
    other = signed_in(eligible_candidate())
    assert other.post(english("portal:token_revoke", token.pk)).status_code == 404
    assert token.key_id not in other.get(english("portal:tokens")).content.decode()
    anonymous = client.get(english("portal:tokens"))
    assert anonymous.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None
