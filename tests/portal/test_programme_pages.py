"""The public catalogue and programme pages: filters, and everything the rulebook says."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from admissions.catalog import programmes
from admissions.catalog.models import Campaign
from tests.factories import IN_NORD_CAMPAIGN, load_preset


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def schools(db: None, clock: time_machine.Coordinates) -> tuple[Campaign, Campaign]:
    return load_preset("imt-nord-europe"), load_preset("imt-bs")


def text(page: bytes) -> str:
    """The page's words, tags removed, spaces folded."""
    body = page.decode()
    body = body[body.index("<main") : body.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def cards(client: Client, query: str = "") -> list[str]:
    page = client.get(f"/en/programmes/{query}").content.decode()
    return re.findall(r'<h2 class="card-title"><a href="/en/programmes/([^"]+)/"', page)


def test_the_catalogue_lists_every_programme_of_both_schools(client: Client, schools: Any) -> None:
    found = cards(client)
    assert len(found) == 8
    assert "imt-nord-europe/ms-cybersecurite" in found
    assert "imt-bs/ms-data-ia-management" in found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?school=imt-bs", 4),
        ("?site=lille", 1),
        ("?site=douai", 3),
        ("?track=work_study", 4),
        ("?track=full_time", 6),
        ("?language=fr", 8),
        ("?language=en", 0),
        ("?school=imt-nord-europe&track=work_study", 0),
        ("?school=nowhere", 8),  # an unknown value filters nothing
    ],
)
def test_filters(client: Client, schools: Any, query: str, expected: int) -> None:
    assert len(cards(client, query)) == expected


def test_a_programme_page_says_everything_a_candidate_needs(client: Client, schools: Any) -> None:
    page = text(client.get("/en/programmes/imt-nord-europe/ms-transition-energetique/").content)
    for expected in (
        # Site, address, phone, duration and internship, tracks, places, language.
        "Site de Douai",
        "764 Boulevard Lahure",
        "03 27 71 20 30",
        "12 months, including 6 months of internship",
        "Full time with an internship",
        "Places 20",
        "Taught in French",
        # Entry routes and what each requires.
        "University M1 or maîtrise (Bac+4) and three years of professional experience",
        "with at least 3 years of professional experience",
        "validation of professional and personal experience (VAPP) is required",
        "Still studying? You may apply before you obtain your diploma",
        # Documents, the school's form, fees by financing mode and their payers.
        "Completed application form",
        "Download the form to fill in",
        "Personal funding €7,500 You",
        "Employer's training plan €12,500 Your employer",
        "The Hauts-de-France region",
        "Ask for it before 16 September 2024.",
        "€60",
        "CVEC (student life contribution) €100",
        # Dates and deadlines, the international one with its note.
        "15 September 2023",
        "7 June 2024 at midnight (Paris time)",
        "17 March 2024 at midnight (Paris time)",
        "to leave time for consular procedures",
        # Selection, interview, jury.
        "An interview may be decided case by case.",
        "March 2024 admission jury",
        "No appeal can be made against it.",
        # Housing, international notes, contacts.
        "A room at the Maison des Élèves",
        "register on Campus France",
        "masteres.specialises@imt-nord-europe.fr",
        "https://www.imt-nord-europe.fr",
        "For more information, see the school's website",
        "Site de Lille",
        "03 20 33 55 77",
    ):
        assert expected in page, expected
    form = re.search(
        r'href="(https://www\.imt-nord-europe\.fr/[^"]*)"',
        client.get("/en/programmes/imt-nord-europe/ms-transition-energetique/").content.decode(),
    )
    assert form is not None


def test_imt_bs_says_the_diploma_must_already_be_obtained(client: Client, schools: Any) -> None:
    page = text(client.get("/en/programmes/imt-bs/ms-achats-supply-chain/").content)
    assert "Your diploma must already be obtained when you apply" in page
    # The guide's other words: mistakes to avoid, optional documents, the contact's note.
    assert "Generic cover letter" in page
    assert "Optional further documents optional" in page
    assert "We are here to advise you on your project" in page
    assert "Indicative amounts" in page
    assert "IMT-BS Executive Education does not accept applications from first-time" in page


def test_an_unknown_programme_is_a_404(client: Client, schools: Any) -> None:
    assert client.get("/en/programmes/imt-bs/ms-cybersecurite/").status_code == 404
    assert client.get("/en/programmes/nowhere/ms-cybersecurite/").status_code == 404


def test_the_home_page_and_the_menu_lead_to_the_programme_pages(
    client: Client, schools: Any
) -> None:
    home = client.get("/en/").content.decode()
    assert 'href="/en/programmes/"' in home
    assert 'href="/en/programmes/imt-nord-europe/ms-cybersecurite/"' in home


def test_a_form_the_school_ships_is_downloaded_from_the_platform(
    client: Client,
    db: None,
    clock: time_machine.Coordinates,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def ship_the_form(raw: dict[str, Any]) -> None:
        form = raw["documents"]["requirements"][0]
        form.pop("form_url")
        form["form_file"] = "dossier-candidature.pdf"

    load_preset("imt-nord-europe", edit=ship_the_form)
    folder = tmp_path / "imt-nord-europe"
    folder.mkdir()
    (folder / "dossier-candidature.pdf").write_bytes(b"%PDF-1.7 the school's form")
    monkeypatch.setattr(programmes, "FORMS_DIR", tmp_path)
    page = client.get("/en/programmes/imt-nord-europe/ms-cybersecurite/").content.decode()
    link = "/en/programmes/imt-nord-europe/forms/dossier-candidature/"
    assert link in page
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 the school's form"  # type: ignore[attr-defined]
    assert 'filename="dossier-candidature.pdf"' in response["Content-Disposition"]
    assert client.get("/en/programmes/imt-nord-europe/forms/cv/").status_code == 404
