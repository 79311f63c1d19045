"""The staff's API tokens page: without an authenticator it says how to set one up; with
one, a token is made with a current code (shown once), tied to an institution, revoked."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.catalog.models import Campaign
from admissions.people.models import ApiToken, Role, User
from tests.api.test_tokens import SECRET, totp_now
from tests.factories import IN_NORD_CAMPAIGN, eligible_candidate, load_preset, staff_member


@pytest.fixture
def nord(db: None) -> Iterator[Campaign]:
    cache.clear()  # the codes already used are kept in the cache
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        yield load_preset("imt-nord-europe")


def english(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_without_an_authenticator_the_page_says_how_to_set_one_up(nord: Campaign) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    client = signed_in(officer)
    assert english("office:tokens") in client.get(english("office:home")).content.decode()
    page = client.get(english("office:tokens")).content.decode()
    assert 'id="second-factor-needed"' in page
    assert english("mfa_index") in page
    refused = client.post(english("office:tokens"), {"name": "x", "scope": "read", "otp_code": "1"})
    assert refused.status_code == 422
    assert not ApiToken.objects.exists()


def test_a_token_made_with_a_current_code_shown_once_and_revoked(nord: Campaign) -> None:
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    TOTP.activate(officer, SECRET)
    client = signed_in(officer)
    url = english("office:tokens")
    wrong = client.post(url, {"name": "export", "scope": "read", "otp_code": "000000"})
    assert wrong.status_code == 422
    assert "Enter the current code of your authenticator app." in wrong.content.decode()
    made = client.post(
        url,
        {
            "name": "export",
            "scope": "write",
            "institution": nord.institution.pk,
            "otp_code": totp_now(SECRET),
        },
    )
    assert made.status_code == 200
    text = re.search(r'id="new-token-text"[^>]*>(adm_[^<]+)<', made.content.decode()).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=officer)
    assert (token.can_write, token.institution_id) == (True, nord.institution.pk)
    listed = client.get(url).content.decode()
    assert text not in listed
    assert token.key_id in listed
    assert nord.institution.short_name in listed
    api = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert api.get("/api/v1/staff/files").status_code == 200
    client.post(english("office:token_revoke", token.pk))
    assert api.get("/api/v1/staff/files").status_code == 401


def test_the_office_page_is_for_staff_and_their_own_tokens(nord: Campaign) -> None:
    candidate = eligible_candidate()
    assert signed_in(candidate).get(english("office:tokens")).status_code == 404
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    # The candidate's page sends staff to theirs.
    assert signed_in(officer).get(english("portal:tokens"))["Location"] == english("office:tokens")
    other = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    TOTP.activate(other, SECRET)
    signed_in(other).post(
        english("office:tokens"), {"name": "theirs", "scope": "read", "otp_code": totp_now(SECRET)}
    )
    token = ApiToken.objects.get(user=other)
    assert signed_in(officer).post(english("office:token_revoke", token.pk)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
