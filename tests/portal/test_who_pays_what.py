"""Who pays what: the candidate's share and the funder's, only the modes a track allows, the
regional funding's date and quote."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator

import pikepdf
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.workflow.checks import Code, run_checks
from tests.documents.pdftext import pdf_text
from tests.factories import IN_NORD_CAMPAIGN, draft, eligible_candidate, load_preset, programme_of


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bs(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-bs")


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def candidate(db: None) -> User:
    return eligible_candidate()


def simulator(language: str = "en") -> str:
    with translation.override(language):
        return reverse("payments:simulator")


def options(page: str, name: str) -> list[tuple[str, bool]]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select is not None, name
    return [
        (value, "selected" in attrs)
        for attrs, value in re.findall(r'<option([^>]*?)value="([^"]*)"', select.group(0))
    ] or [
        (value, "selected" in rest)
        for value, rest in re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(0))
    ]


def test_a_work_study_programme_offers_only_the_modes_open_to_work_study(
    client: Client, bs: Campaign
) -> None:
    programme = programme_of(bs, "ms-data-ia-management")  # work-study only
    page = client.get(f"{simulator()}?programme={programme.pk}").content.decode()
    modes = re.findall(r'<option value="([a-z-]+)"[^>]*data-tracks="([a-z_ ]+)"', page)
    assert [code for code, _ in modes] == ["entreprise", "opco"]
    # The default is a mode open to the track: the first answer is costs, not an error.
    selected = re.search(r'<option value="([a-z-]+)"[^>]*selected', page)
    assert selected is not None
    assert selected.group(1) == "entreprise"


def test_a_programme_with_two_tracks_tags_each_mode_with_its_tracks(
    client: Client, bs: Campaign
) -> None:
    programme = programme_of(bs, "ms-achats-supply-chain")
    page = client.get(f"{simulator()}?programme={programme.pk}").content.decode()
    tagged = dict(re.findall(r'<option value="([a-z-]+)"[^>]*data-tracks="([a-z_ ]+)"', page))
    assert tagged["personnel"] == "full_time"
    assert tagged["opco"] == "work_study"
    assert tagged["entreprise"] == "full_time work_study"
    assert "admissions/js/choices.js" in page
    # Without the script, a mode chosen for the wrong track names the right ones.
    wrong = client.get(
        f"{simulator()}?programme={programme.pk}&track=work_study&financing_mode=personnel"
    ).content.decode()
    assert "For the Work-study (alternance) track, choose one of:" in wrong
    assert "OPCO" in wrong


def test_an_opco_pays_the_tuition_and_the_candidate_sees_only_their_share(
    client: Client, bs: Campaign
) -> None:
    programme = programme_of(bs, "ms-data-ia-management")
    page = client.get(
        f"{simulator()}?programme={programme.pk}&track=work_study&financing_mode=opco"
    ).content.decode()
    yours = page[page.index("Your share") : page.index("Paid by your employer")]
    assert "Application fee" in yours
    assert "Deposit" in yours
    assert "Tuition" not in yours
    assert "€633" in yours  # 80 + 450 + 103 (the CVEC, paid to the CROUS)
    assert "paid to the CROUS" in yours
    funder = page[page.index("Paid by your employer&#x27;s OPCO") :]
    assert "€15,500" in funder
    assert "you do not pay it" in funder


def test_personal_funding_shows_one_total(client: Client, nord: Campaign) -> None:
    programme = programme_of(nord, "ms-cybersecurite")
    page = client.get(
        f"{simulator()}?programme={programme.pk}&track=full_time&financing_mode=personnel"
    ).content.decode()
    assert "Paid by" not in page
    assert "€9,160" in page  # 60 + 9,000 + the CVEC's 100


def test_the_payments_page_shows_the_shares_and_never_asks_the_funder_s_part(
    client: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(
        candidate,
        nord,
        programme_of(nord, "ms-batiment-bas-carbone"),
        financing_mode="region-hauts-de-france",
    )
    client.force_login(candidate)
    with translation.override("en"):
        url = reverse("payments:overview", args=[application.reference])
    page = client.get(url).content.decode()
    shares = page[page.index('id="shares"') :]
    assert "Paid by the Hauts-de-France region" in shares
    assert "€7,500" in shares
    # The region must be asked 3 weeks before the start on 7 October 2024.
    assert "Ask your adviser for this funding before 16 September 2024." in shares
    with translation.override("en"):
        quote = reverse("payments:quote", args=[application.reference])
    assert quote in shares


def test_the_quote_is_a_pdf_naming_the_region_as_payer(
    client: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(
        candidate,
        nord,
        programme_of(nord, "ms-batiment-bas-carbone"),
        financing_mode="region-hauts-de-france",
    )
    client.force_login(candidate)
    with translation.override("fr"):
        url = reverse("payments:quote", args=[application.reference])
    response = client.get(url, headers={"accept-language": "fr"})
    assert url.startswith("/payments/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(pikepdf.open(io.BytesIO(response.content)))
    assert "Devis de formation" in text
    assert "Région Hauts-de-France" in text
    assert "Camille Martin" in text
    assert "7\u202f500" in text
    assert "16 septembre 2024" in text


def test_no_quote_for_a_mode_the_region_does_not_fund(
    client: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    client.force_login(candidate)
    assert client.get(reverse("payments:quote", args=[application.reference])).status_code == 404


def test_regional_funding_needs_a_france_travail_registration(
    client: Client, nord: Campaign
) -> None:
    candidate = eligible_candidate()
    application = draft(
        candidate,
        nord,
        programme_of(nord, "ms-batiment-bas-carbone"),
        financing_mode="region-hauts-de-france",
    )
    with translation.override("en"):
        problem = run_checks(application).first(Code.FUNDING_NOT_OPEN)
    assert problem is not None
    assert "registered with France Travail" in problem.message
    profile = candidate.profile
    profile.france_travail_registered = True
    profile.save()
    application.refresh_from_db()
    assert run_checks(application).first(Code.FUNDING_NOT_OPEN) is None


def test_the_status_page_gives_the_date_to_ask_the_region(
    client: Client, nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    application = draft(
        candidate,
        nord,
        programme_of(nord, "ms-batiment-bas-carbone"),
        financing_mode="region-hauts-de-france",
    )
    client.force_login(candidate)
    with translation.override("en"):
        url = reverse("portal:application_status", args=[application.reference])
    page = client.get(url).content.decode()
    assert "before 16 September 2024" in page
    clock.move_to(dt.datetime(2024, 9, 20, 12, 0, tzinfo=dt.UTC))
    client.force_login(candidate)  # months later: a new session
    page = client.get(url).content.decode()
    assert "had to be asked for before 16 September 2024" in page
