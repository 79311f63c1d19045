"""Forms that say what they want: minimum lengths and counts, a text asked once, the school's
forms, a self-check that knows the candidate and the programme, dates written one way."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.rules import explain
from tests.factories import (
    IN_NORD_CAMPAIGN,
    CandidateProfileFactory,
    EducationFactory,
    WorkPeriodFactory,
    draft,
    load_preset,
    programme_of,
    type_the_letter,
)

SOURCE = Path(__file__).resolve().parents[2] / "src" / "admissions"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def bs(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-bs")


@pytest.fixture
def candidate(db: None) -> User:
    profile = CandidateProfileFactory(nationality="IT", residence_country="FR")
    EducationFactory(profile=profile, level=5, diploma_kind="master_m2", country="IT", year=2021)
    WorkPeriodFactory(profile=profile, start=dt.date(2021, 9, 1), end=dt.date(2023, 8, 31))
    user: User = profile.user
    return user


def en(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def test_a_text_sent_as_a_file_is_not_asked_again_and_the_others_show_their_minimum(
    client: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord, professional_project="Devenir RSSI.")
    client.force_login(candidate)
    page = client.get(en("portal:application", application.reference)).content.decode()
    # The cover letter is a PDF of the checklist: no text box for it.
    assert 'name="cover_letter"' not in page
    assert 'name="professional_project"' in page
    assert 'data-min-length="400"' in page
    counter = re.search(r'<p class="text-count short"[^>]*>(.*?)</p>', page, re.S)
    assert counter is not None
    assert "At least 400 characters:" in counter.group(1)
    assert "<span data-count>13</span> so far." in counter.group(1)
    assert "admissions/js/textcount.js" in page


def test_a_school_asking_the_letter_as_a_text_gets_both_boxes(
    client: Client, db: None, clock: time_machine.Coordinates, candidate: User
) -> None:
    campaign = load_preset("imt-nord-europe", edit=type_the_letter)
    application = draft(candidate, campaign)
    client.force_login(candidate)
    page = client.get(en("portal:application", application.reference)).content.decode()
    assert 'name="cover_letter"' in page
    assert 'data-min-length="600"' in page


def test_the_school_s_form_is_linked_where_the_piece_is_sent(
    client: Client, nord: Campaign, candidate: User
) -> None:
    application = draft(candidate, nord)
    client.force_login(candidate)
    page = client.get(en("documents:list", application.reference)).content.decode()
    card = page[page.index('id="doc-dossier-candidature"') :]
    card = card[: card.index("</li>")]
    assert "Download the form to fill in" in card
    assert 'href="https://www.imt-nord-europe.fr/formations/masteres-specialises/"' in card


def field_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag is not None, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert select is not None, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return chosen.group(1) if chosen else ""


def test_the_self_check_is_prefilled_from_the_profile(
    client: Client, nord: Campaign, candidate: User
) -> None:
    anonymous = client.get(en("portal:self_check")).content.decode()
    assert selected(anonymous, "nationality") == ""
    client.force_login(candidate)
    page = client.get(en("portal:self_check")).content.decode()
    assert "Your answers come from your profile" in page
    assert selected(page, "nationality") == "IT"
    assert selected(page, "residence_country") == "FR"
    assert selected(page, "diploma_level") == "5"
    assert selected(page, "diploma_kind") == "master_m2"
    assert selected(page, "diploma_country") == "IT"
    assert field_value(page, "diploma_year") == "2021"
    assert field_value(page, "experience_years") == "2.0"


def test_the_self_check_offers_only_the_programme_s_tracks(client: Client, bs: Campaign) -> None:
    work_study_only = programme_of(bs, "ms-data-ia-management")
    offer = f"{bs.pk}:{work_study_only.pk}"
    page = client.get(en("portal:self_check") + f"?offer={offer}").content.decode()
    assert 'value="work_study"' in page
    assert 'value="full_time"' not in page
    # Every track carries the programmes that offer it, for the page's script.
    anonymous = client.get(en("portal:self_check")).content.decode()
    full_time = re.search(r'<input[^>]*value="full_time"[^>]*>', anonymous)
    assert full_time is not None
    assert offer not in full_time.group(0)
    response = client.post(
        en("portal:self_check"),
        {
            "offer": offer,
            "track": "full_time",
            "nationality": "FR",
            "residence_country": "FR",
            "diploma_level": "5",
            "diploma_kind": "master_m2",
            "diploma_country": "FR",
            "diploma_status": "obtained",
            "experience_years": "0",
        },
    )
    assert response.status_code == 422
    assert "This programme does not offer this track" in response.content.decode()


def test_imt_bs_s_obtained_diploma_rule_is_said_before_applying(
    client: Client, bs: Campaign, nord: Campaign
) -> None:
    bs_offer = f"{bs.pk}:{programme_of(bs, 'ms-achats-supply-chain').pk}"
    nord_offer = f"{nord.pk}:{programme_of(nord, 'ms-cybersecurite').pk}"
    note = "For this programme your diploma must already be obtained when you apply"
    page = client.get(en("portal:self_check") + f"?offer={bs_offer}").content.decode()
    shown = re.search(r'<p class="message warning" data-when-offer="([^"]*)"( hidden)?>', page)
    assert shown is not None
    assert note in page
    assert bs_offer in shown.group(1).split()
    assert nord_offer not in shown.group(1).split()
    assert shown.group(2) is None
    page = client.get(en("portal:self_check") + f"?offer={nord_offer}").content.decode()
    hidden = re.search(r'<p class="message warning" data-when-offer="[^"]*"( hidden)?>', page)
    assert hidden is not None
    assert hidden.group(1) == " hidden"


def test_the_application_start_page_says_it_too(
    client: Client, bs: Campaign, candidate: User
) -> None:
    client.force_login(candidate)
    programme = programme_of(bs, "ms-achats-supply-chain")
    page = client.get(en("portal:application_start", bs.pk, programme.pk)).content.decode()
    assert "Your diploma must already be obtained when you apply" in page


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [("en", "7 June 2024", "07/06/2024"), ("fr", "7 juin 2024", "07/06/2024")],
)
def test_dates_are_written_one_way_per_language(language: str, long: str, short: str) -> None:
    day = dt.date(2024, 6, 7)
    with translation.override(language):
        assert formats.date_format(day, "DATE_FORMAT") == long
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == short
        assert Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": day})) == long
    assert explain.date(day).get(language) == long


def test_templates_use_only_the_named_date_formats() -> None:
    literal = re.compile(r'\|date:"(?!(?:SHORT_)?DATE(?:TIME)?_FORMAT"|c")[^"]*"')
    offenders = [
        f"{path.relative_to(SOURCE)}: {match.group(0)}"
        for path in SOURCE.rglob("*.html")
        for match in literal.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_application_pages_give_the_school_s_advice_and_funding_conditions(
    client: Client, bs: Campaign, nord: Campaign, candidate: User
) -> None:
    client.force_login(candidate)
    application = draft(
        candidate, bs, programme_of(bs, "ms-achats-supply-chain"), financing_mode="personnel"
    )
    page = client.get(en("portal:application", application.reference)).content.decode()
    assert "frequent mistakes to avoid" in page
    assert "Generic cover letter" in page
    # The optional pieces are marked so on the application's checklist.
    line = page[page.index("Optional further documents") :]
    assert 'class="badge">optional' in line[: line.index("</li>")]
    start = en("portal:application_start", nord.pk, programme_of(nord, "ms-cybersecurite").pk)
    page = client.get(start).content.decode()
    assert "Who may use each financing mode" in page
    assert "France Travail (formerly Pôle Emploi)" in page
