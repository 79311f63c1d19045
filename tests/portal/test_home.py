"""The public home page: programmes open for applications, in French and English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from admissions.catalog.models import Programme
from tests.portal.catalogue import open_campaign

pytestmark = pytest.mark.django_db

PARIS = dt.timezone(dt.timedelta(hours=2))  # summer time, as on 7 June
LAST_MINUTE = dt.datetime(2024, 6, 7, 23, 59, 59, tzinfo=PARIS)
TOO_LATE = dt.datetime(2024, 6, 8, 0, 0, tzinfo=PARIS)


@pytest.fixture
def nord_europe(db: None) -> None:
    open_campaign(
        "imt-nord-europe",
        opens_on=dt.date(2023, 9, 15),
        closes_on=dt.date(2024, 6, 7),
        international_deadline=dt.date(2024, 3, 17),
    )


@time_machine.travel(LAST_MINUTE, tick=False)
def test_french_home_lists_open_programmes(client: Client, nord_europe: None) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "IMT Nord Europe" in page
    assert "Mastère Spécialisé® Cybersécurité" in page
    assert "Site de Lille" in page
    assert "12 mois" in page
    assert "dont 6 mois de stage" in page
    assert "Temps plein avec stage" in page
    assert "jusqu’au 7 juin 2024 à minuit (heure de Paris)" in page
    assert "jusqu’au 17 mars 2024 à minuit (heure de Paris)" in page
    assert "60\u00a0€, par virement bancaire" in page


@time_machine.travel(LAST_MINUTE, tick=False)
def test_english_home_lists_open_programmes(client: Client, nord_europe: None) -> None:
    page = client.get("/en/").content.decode()
    assert '<html lang="en">' in page
    assert "Mastère Spécialisé® in Cybersecurity" in page
    assert "12 months" in page
    assert "including 6 months of internship" in page
    assert "Full time with an internship" in page
    assert "until 7 June 2024 at midnight (Paris time)" in page
    assert "until 17 March 2024 at midnight (Paris time)" in page
    assert "€60, by bank transfer" in page


@time_machine.travel(LAST_MINUTE, tick=False)
def test_home_links_to_eligibility_sign_up_and_log_in(client: Client, nord_europe: None) -> None:
    page = client.get("/en/").content.decode()
    assert 'href="/en/accounts/signup/"' in page
    assert 'href="/en/accounts/login/"' in page
    assert re.search(r'href="(/en)?/eligibility/"', page)


@time_machine.travel(TOO_LATE, tick=False)
def test_a_campaign_closed_at_midnight_is_no_longer_listed(
    client: Client, nord_europe: None
) -> None:
    page = client.get("/en/").content.decode()
    assert "Cybersecurity" not in page
    assert "No programme is open for applications at the moment." in page


@time_machine.travel(LAST_MINUTE, tick=False)
def test_inactive_programmes_and_future_campaigns_are_not_listed(client: Client) -> None:
    open_campaign("imt-nord-europe", opens_on=dt.date(2023, 9, 15), closes_on=dt.date(2024, 6, 7))
    open_campaign("imt-bs", opens_on=dt.date(2024, 6, 8), closes_on=dt.date(2024, 9, 13))
    Programme.objects.filter(slug="ms-cybersecurite").update(is_active=False)
    page = client.get("/en/").content.decode()
    assert "Energy Transition" in page
    assert "Cybersecurity" not in page
    assert "IMT Business School" not in page
    assert "IMT-BS" not in page


@time_machine.travel(LAST_MINUTE, tick=False)
def test_query_count_does_not_grow_with_the_catalogue(
    client: Client, django_assert_num_queries: object
) -> None:
    open_campaign("imt-nord-europe", opens_on=dt.date(2023, 9, 15), closes_on=dt.date(2024, 6, 7))
    client.get("/en/")  # the first request of a process reads the rulebooks once
    with django_assert_num_queries(2):  # type: ignore[operator]
        small = client.get("/en/")
    open_campaign(
        "imt-bs",
        opens_on=dt.date(2023, 10, 2),
        closes_on=dt.date(2024, 9, 13),
        extra_programmes=25,
    )
    open_campaign(
        "imt-nord-europe",
        opens_on=dt.date(2023, 9, 15),
        closes_on=dt.date(2024, 6, 7),
        slug_suffix="-bis",
        extra_programmes=10,
    )
    client.get("/en/")
    with django_assert_num_queries(2):  # type: ignore[operator]
        large = client.get("/en/")
    assert (
        large.content.decode().count('class="panel programme"')
        > small.content.decode().count('class="panel programme"') + 30
    )


def test_language_switch_works_without_javascript(client: Client) -> None:
    page = client.get("/accounts/login/?next=/me/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'name="next" value="/en/accounts/login/?next=/me/"' in page
    assert 'name="language" value="en"' in page
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/en/accounts/login/?next=/me/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/me/"
    # Back to French from an English page, whatever language the browser prefers.
    page = client.get("/en/accounts/signup/", headers={"accept-language": "en"}).content.decode()
    assert 'name="next" value="/accounts/signup/"' in page
    response = client.post(
        "/i18n/setlang/",
        {"language": "fr", "next": "/accounts/signup/"},
        headers={"accept-language": "en"},
    )
    assert response["Location"] == "/accounts/signup/"
    assert client.get("/accounts/signup/").content.decode().startswith("<!doctype html>")


@pytest.mark.parametrize("path", ["/", "/en/", "/accounts/login/", "/en/accounts/signup/"])
def test_pages_obey_the_content_security_policy(client: Client, path: str) -> None:
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline script"
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page), "inline style"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"
    assert not re.search(r'<(link|script|img)[^>]+(href|src)="(https?:)?//', page), "remote asset"


@pytest.mark.parametrize("path", ["/", "/en/accounts/login/"])
def test_pages_have_landmarks_and_a_skip_link(client: Client, path: str) -> None:
    page = client.get(path).content.decode()
    assert '<a class="skip-link" href="#main">' in page
    for landmark in (
        '<header class="site-header">',
        '<nav class="nav"',
        '<main id="main"',
        '<footer class="site-footer">',
    ):
        assert landmark in page
    assert page.count("<h1") == 1
