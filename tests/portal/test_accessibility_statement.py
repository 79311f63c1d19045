"""The accessibility statement: in the RGAA's format, in both languages, linked from every
page's footer."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    # A page read in English leaves English active in this thread for the tests after it.
    with translation.override(translation.get_language()):
        yield


SECTIONS = {
    "fr": (
        "Déclaration d'accessibilité",
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d'accessibilité",
        "Retour d'information et contact",
        "Voies de recours",
    ),
    "en": (
        "Accessibility statement",
        "Compliance status",
        "Test results",
        "Content that is not accessible",
        "How this statement was made",
        "Feedback and contact",
        "Ways of appeal",
    ),
}


@pytest.mark.parametrize(
    ("language", "path"), [("fr", "/accessibility/"), ("en", "/en/accessibility/")]
)
def test_the_statement_has_every_part_of_the_rgaa_model(
    client: Client, language: str, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for heading in SECTIONS[language]:
        assert f">{heading}</h" in page, heading
    assert "Défenseur des droits" in page
    assert "RGAA" in page


def test_every_page_links_to_it_from_the_footer(client: Client) -> None:
    home = client.get("/").content.decode()
    footer = home[home.index('<footer class="site-footer">') :]
    assert 'href="/accessibility/"' in footer
    assert "Accessibilité : non conforme" in footer
    english = client.get("/en/programmes/").content.decode()
    assert 'href="/en/accessibility/"' in english[english.index("<footer") :]
