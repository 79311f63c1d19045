"""A security key's pages (edit, remove) answer only its owner: anyone else, staff of its
institution included, gets 404."""

from __future__ import annotations

import time

import pytest
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from admissions.people.models import Role, User
from tests.factories import UserFactory, load_preset, staff_member

pytestmark = pytest.mark.django_db


def _just_logged_in(user: User) -> Client:
    """A session that passed its password a moment ago: allauth asks no re-authentication
    before a key's page, so the answer is the page's own."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client


def test_a_security_key_is_reached_by_its_owner_only() -> None:
    campaign = load_preset("imt-nord-europe")
    owner = UserFactory()
    key = Authenticator.objects.create(
        user=owner, type=Authenticator.Type.WEBAUTHN, data={"name": "Laptop", "credential": {}}
    )
    someone = _just_logged_in(UserFactory())
    administrator = _just_logged_in(
        staff_member(Role.INSTITUTION_ADMIN, institution=campaign.institution)
    )
    for name in ("mfa_edit_webauthn", "mfa_remove_webauthn"):
        url = reverse(name, kwargs={"pk": key.pk})
        assert someone.get(url).status_code == 404, name
        assert administrator.get(url).status_code == 404, name
        assert _just_logged_in(owner).get(url).status_code == 200, name
