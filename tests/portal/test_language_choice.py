"""The language a person switches the site to is the language of their emails."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import eligible_candidate

pytestmark = pytest.mark.django_db


def test_switching_the_site_to_english_sends_the_emails_in_english() -> None:
    candidate = eligible_candidate()
    assert candidate.preferred_language == "fr"
    client = Client()
    client.force_login(candidate)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/me/"
    candidate.refresh_from_db()
    assert candidate.preferred_language == "en"


def test_a_visitor_switches_without_an_account_and_nonsense_changes_nothing() -> None:
    assert Client().post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    candidate = eligible_candidate()
    client = Client()
    client.force_login(candidate)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    candidate.refresh_from_db()
    assert candidate.preferred_language == "fr"
