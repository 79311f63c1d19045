"""Query budgets of the log-in pages that offer staff their institution's way in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from admissions.catalog.models import Institution
from admissions.people.identity_providers import IdentityProvider
from tests.factories import load_preset
from tests.people import saml_idp

pytestmark = pytest.mark.django_db

PAGES = {"/en/accounts/login/": 2, "/en/accounts/institution/": 1}


def _queries(url: str) -> int:
    client = Client()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _connect(slug: str, certificate: str) -> None:
    IdentityProvider.objects.create(
        institution=Institution.objects.get(slug=slug),
        entity_id=f"https://idp.{slug}.example/idp/shibboleth",
        sso_url=f"https://idp.{slug}.example/sso",
        x509cert=certificate,
    )


def test_the_log_in_pages_cost_the_same_whatever_the_number_of_institutions(
    settings: Settings,
) -> None:
    keys = saml_idp.key_pair("platform")
    settings.SAML_SP_KEY = keys.key_pem
    settings.SAML_SP_CERTIFICATE = keys.certificate_pem
    load_preset("imt-nord-europe")
    load_preset("imt-bs")
    _connect("imt-nord-europe", keys.certificate_pem)
    few = {url: _queries(url) for url in PAGES}
    _connect("imt-bs", keys.certificate_pem)
    many = {url: _queries(url) for url in PAGES}
    assert few == many
    for url, budget in PAGES.items():
        assert many[url] <= budget, (url, many[url])
