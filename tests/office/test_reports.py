"""The report of a campaign: its numbers on a small known dataset made through the services,
who may read it, its charts (well-formed SVG, nothing the CSP forbids) and its exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from admissions.applications.history import transition
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.payments import ledger
from admissions.payments.models import Method
from admissions.people.models import Role, User
from admissions.rules.fees import application_fee_cents
from admissions.rules.vocabulary import ChargeKind
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    staff_member,
)

pytestmark = pytest.mark.django_db
CYBER = "ms-cybersecurite"
ENERGY = "ms-transition-energetique"
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def english(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def french(name: str, *args: object) -> str:
    with translation.override("fr"):
        return reverse(name, args=args)


def _sent(application: Application, route: str, eu: bool | None) -> None:
    """What submission copies on the file before its move (workflow.submission)."""
    Application.objects.filter(pk=application.pk).update(
        entry_route=route, eu_national=eu, lives_abroad=False
    )
    transition(application, action="submit", by=None)


def _moves(application: Application, *actions: str) -> None:
    for action in actions:
        transition(application, action=action, by=None)


@dataclass(frozen=True)
class World:
    campaign: Campaign
    cyber: Programme
    energy: Programme
    files: list[Application]
    fee: int
    officer: User


@pytest.fixture
def world(db: None) -> Iterator[World]:
    """Four files of the cybersecurity programme, one of the energy programme, over 26 days."""
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as clock:
        campaign = load_preset("imt-nord-europe")
        cyber, energy = programme_of(campaign, CYBER), programme_of(campaign, ENERGY)
        files = [draft(eligible_candidate(), campaign, cyber) for _ in range(4)]
        other = draft(eligible_candidate(), campaign, energy)
        clock.shift(dt.timedelta(days=3))
        _sent(files[0], "ingenieur-cti", True)
        _sent(files[1], "derogatoire-bac4", False)
        _sent(files[2], "ingenieur-cti", None)
        _sent(other, "master-m2", True)
        _moves(files[1], "withdraw")
        clock.shift(dt.timedelta(days=2))
        _moves(files[0], "mark_complete")
        _moves(files[2], "mark_complete")
        clock.shift(dt.timedelta(days=1))
        _moves(files[0], "record_admissible", "schedule_interview")
        _moves(files[2], "record_admissible")
        clock.shift(dt.timedelta(days=4))
        _moves(files[0], "record_interview")
        clock.shift(dt.timedelta(days=10))
        _moves(files[0], "place_on_agenda", "publish_admitted")
        _moves(files[2], "place_on_agenda", "publish_waitlisted")
        clock.shift(dt.timedelta(days=1))
        _moves(files[0], "confirm")
        clock.shift(dt.timedelta(days=4))
        _moves(files[2], "admit_from_waitlist_conditionally")
        clock.shift(dt.timedelta(days=1))
        _moves(files[2], "confirm_conditionally")
        fee = application_fee_cents(campaign.rules)
        ledger.record_payment(
            files[0].pk,
            charge_kind=ChargeKind.APPLICATION_FEE,
            amount_cents=fee,
            method=Method.CARD,
            by=None,
        )
        ledger.record_refund(
            files[0].pk,
            charge_kind=ChargeKind.APPLICATION_FEE,
            amount_cents=1000,
            method=Method.CARD,
            by=None,
        )
        ledger.write_off(
            files[1].pk, charge_kind=ChargeKind.APPLICATION_FEE, amount_cents=fee, by=None
        )
        yield World(
            campaign=campaign,
            cyber=cyber,
            energy=energy,
            files=files,
            fee=fee,
            officer=staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution),
        )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _table(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, each cell's text."""
    start = html.index(f"<caption>{caption}</caption>")
    body = html[start : html.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


def test_the_numbers_of_a_known_campaign(world: World) -> None:
    campaign, cyber = world.campaign, world.cyber
    assert isinstance(campaign, Campaign)
    page = _client(world.officer).get(
        english("office:report", campaign.pk),
        {"programme": cyber.pk},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert _table(html, "Files that reached each step")[1:] == [
        ["Drafts", "4", "–"],
        ["Submitted", "3", "100.0 %"],
        ["Complete", "2", "66.7 %"],
        ["Admissible", "2", "66.7 %"],
        ["Interviewed", "1", "33.3 %"],
        ["Admitted", "2", "66.7 %"],
        ["Place confirmed", "2", "66.7 %"],
        ["Enrolled", "1", "33.3 %"],
    ]
    routes = _table(html, "Entry route: files that reached each step")
    assert routes[0][0] == "Entry route"
    assert routes[1][1:] == ["2", "2", "2", "1", "2", "2", "1"]
    assert routes[2][1:] == ["1", "0", "0", "0", "0", "0", "0"]
    nationality = {
        row[0]: row[1]
        for row in _table(html, "Nationality group: files that reached each step")[1:]
    }
    assert nationality == {"EU": "1", "Outside the EU": "1", "Not known": "1"}
    assert _table(html, "Days spent in each step before the next")[1:] == [
        ["Drafts", "3", "3 days", "3 days"],
        ["Submitted", "2", "2 days", "2 days"],
        ["Complete", "2", "1 day", "1 day"],
        ["Admissible", "2", "4 days", "14 to 20 days"],
        ["Interviewed", "1", "10 days", "10 days"],
        ["Admitted", "2", "1 day", "1 day"],
    ]
    waitlist = _table(html, "Moves onto and off the waiting list")[1:]
    assert ["Put on the waiting list", "1"] in waitlist
    assert ["Offered a place on condition", "1"] in waitlist
    assert ["Still waiting", "0"] in waitlist
    fee = world.fee
    assert isinstance(fee, int)
    assert fee > 0
    fees = _table(html, "Fees charged, collected and outstanding")
    total = fees[-1]
    assert total[0] == "All charges"

    def eur(cents: int) -> str:
        euros, rest = divmod(cents, 100)
        return f"€{euros:,}.{rest:02d}" if rest else f"€{euros:,}"

    assert total[1:] == [
        eur(4 * fee),
        eur(fee - 1000),
        eur(1000),
        eur(fee),
        eur(2 * fee + 1000),
    ]


def test_the_whole_campaign_counts_every_programme_in_scope(world: World) -> None:
    campaign = world.campaign
    page = _client(world.officer).get(english("office:report", campaign.pk))
    funnel = _table(page.content.decode(), "Files that reached each step")
    assert funnel[1] == ["Drafts", "5", "–"]
    assert funnel[2] == ["Submitted", "4", "100.0 %"]


def test_the_charts_are_well_formed_svg_and_nothing_inline(world: World) -> None:
    campaign = world.campaign
    client = _client(world.officer)
    for url in (english("office:report", campaign.pk), french("office:report", campaign.pk)):
        page = client.get(url)
        html = page.content.decode()
        assert "script-src 'self'" in page["Content-Security-Policy"]
        charts = SVG.findall(html)
        assert len(charts) == 4 + 6  # funnel, durations, waiting list, fees; six breakdowns
        for chart in charts:
            svg = ET.fromstring(chart)  # noqa: S314 - our own page
            assert svg.get("role") == "img"
            ns = "{http://www.w3.org/2000/svg}"
            title, desc = svg.find(f"{ns}title"), svg.find(f"{ns}desc")
            assert title is not None
            assert title.text
            assert desc is not None
            assert desc.text
            assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
            assert svg.findall(f"{ns}rect")
        assert " style=" not in html
        assert "<style" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert re.search(r"\son[a-z]+=", html) is None
    french_page = client.get(french("office:report", campaign.pk)).content.decode()
    assert "Entonnoir" in french_page
    assert "Admis" in french_page


def test_people_outside_the_scope_get_404(world: World) -> None:
    campaign, cyber, energy = world.campaign, world.cyber, world.energy
    bs = load_preset("imt-bs")
    url = english("office:report", campaign.pk)
    other_school = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    candidate = world.files[0].candidate
    for user in (other_school, candidate):
        client = _client(user)
        assert client.get(url).status_code == 404
        assert client.get(english("office:report_export", campaign.pk, "csv")).status_code == 404
        assert client.get(english("office:report_files", campaign.pk, "xlsx")).status_code == 404
    assert _client(candidate).get(english("office:reports")).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    # A role on one programme: that programme's report, and no other's.
    lead = staff_member(Role.PEDAGOGICAL_LEAD, programme=energy)
    client = _client(lead)
    page = client.get(url)
    assert page.status_code == 200
    assert _table(page.content.decode(), "Files that reached each step")[1] == ["Drafts", "1", "–"]
    assert client.get(url, {"programme": cyber.pk}).status_code == 404
    assert client.get(url, {"programme": "x"}).status_code == 404
    assert client.get(english("office:report_files", campaign.pk, "pdf")).status_code == 404
    index = client.get(english("office:reports")).content.decode()
    assert str(energy.name) in index
    assert str(cyber.name) not in index


def test_the_exports_of_the_report_and_of_its_files(world: World) -> None:
    campaign, cyber = world.campaign, world.cyber
    client = _client(world.officer)
    query = {"programme": cyber.pk}
    response = client.get(english("office:report_export", campaign.pk, "csv"), query)
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == ["Section", "Row", "Column", "Value"]
    assert ["Funnel", "Enrolled", "Files", "1"] in lines
    assert ["Days spent in each step", "Admissible", "90th percentile", "14 to 20 days"] in lines
    response = client.get(english("office:report_export", campaign.pk, "xlsx"), query)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert ["Funnel", "Submitted", "Files", 3] in rows
    response = client.get(english("office:report_files", campaign.pk, "csv"), query)
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    references = {line[0] for line in lines[1:]}
    files = world.files
    assert references == {f.reference for f in files[:3]}
    response = client.get(english("office:report_files", campaign.pk, "xlsx"), query)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert {row[0] for row in rows[1:]} == {f.reference for f in files[:3]}


def test_the_back_office_links_to_the_reports(world: World) -> None:
    client = _client(world.officer)
    home = client.get(english("office:home")).content.decode()
    assert english("office:reports") in home
    index = client.get(english("office:reports")).content.decode()
    assert english("office:report", world.campaign.pk) in index
