"""The list of files exported, as CSV and as a workbook, by the office and by the API.

The export reads only the columns it writes, as tuples, and writes the workbook as it sends
it: its cells are those the export made from whole rows and their models (kept below as
`cells_from_models`, the export's code before), in both languages; its workbook's sheet is
the one openpyxl wrote from those cells, byte for byte; the CSV and the workbook hold the same
rows; and a value a spreadsheet would run as a formula is quoted in both."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from admissions.applications.choices import track_label
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.queue import EXPORT_HEADER, export_rows
from admissions.catalog.models import Campaign
from admissions.people.models import Role, User
from admissions.people.profile import CandidateProfile
from admissions.review.models import Assignment
from tests.core.test_xlsx_streamed import openpyxl_workbook
from tests.factories import IN_NORD_CAMPAIGN, load_preset, programme_of, staff_member

pytestmark = pytest.mark.django_db
SHEET = "xl/worksheets/sheet1.xml"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def quoted(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def cells_from_models(files: QuerySet[Application]) -> list[list[object]]:
    """The export's cells as it made them before: whole rows with their models."""
    now = timezone.now()
    group = {True: gettext("EU"), False: gettext("Outside the EU"), None: ""}
    yes = {True: gettext("yes"), False: gettext("no"), None: ""}
    rows = files.select_related(
        "candidate",
        "candidate__profile",
        "programme",
        "assignment__reviewer",
        "assignment__reviewer__profile",
    ).order_by("-submitted_at", "-pk")
    made = []
    for application in rows:
        assignment = getattr(application, "assignment", None)
        made.append(
            [
                quoted(value)
                for value in (
                    application.reference,
                    application.candidate.display_name,
                    application.candidate.email,
                    application.programme.name,
                    track_label(application.track),
                    application.financing_mode,
                    application.entry_route,
                    group[application.eu_national],
                    yes[application.lives_abroad],
                    str(Status(application.status).label),
                    application.submitted_at.isoformat() if application.submitted_at else "",
                    (now - application.status_changed_at).days,
                    assignment.reviewer.display_name if assignment is not None else "",
                )
            ]
        )
    return made


def person(
    email: str, first: str = "", last: str = "", profile: tuple[str, str] | None = None
) -> User:
    user = User.objects.create(
        email=email, first_name=first, last_name=last, password=make_password(None)
    )
    if profile is not None:
        CandidateProfile.objects.create(user=user, given_names=profile[0], family_name=profile[1])
    return user


def files_of_every_shape(campaign: Campaign) -> list[Application]:
    """Files whose cells take every path of the export: named by a profile, by the account
    or by the address; with a reviewer or none; with values a spreadsheet would run."""
    programme = programme_of(campaign)
    now = timezone.now()
    candidates = [
        person("zoe@example.org", profile=("Zoé", "O'Brien & <Co>")),
        person("ana@example.org", "Ana", "Li"),  # no profile: the account's names
        person("-only-address@example.org", profile=("", "")),  # neither: the address
        person("formula@example.org", profile=('=HYPERLINK("http://x")', "")),
        person("tab@example.org", profile=("\tTab", "  padded  ")),
        person("plus@example.org", "+33", "@home"),
    ]
    shapes = [
        # (status, eu_national, lives_abroad, financing mode, entry route, days in the step)
        (Status.SUBMITTED, True, False, "personnel", "ingenieur-cti", 0),
        (Status.COMPLETE, False, True, "plan-formation-entreprise", "", 3),
        (Status.INCOMPLETE, None, None, "+opco", "@route", 40),
        (Status.COMPLETE, True, None, "=1+2", "-route", 1),
        (Status.SUBMITTED, None, True, "personnel", "ingenieur-cti", 12),
        (Status.COMPLETE, False, False, "personnel", "\rroute", 7),
    ]
    made = Application.objects.bulk_create(
        [
            Application(
                reference=f"NORD-2024-{n:06d}",
                candidate=candidate,
                campaign=campaign,
                programme=programme,
                track="full_time" if n % 2 else "work_study",
                financing_mode=financing,
                status=status,
                submitted_at=now - dt.timedelta(hours=n),
                status_changed_at=now - dt.timedelta(days=days, minutes=n),
                entry_route=route,
                eu_national=eu,
                lives_abroad=abroad,
                sort_name=f"name {n}",
            )
            for n, (candidate, (status, eu, abroad, financing, route, days)) in enumerate(
                zip(candidates, shapes, strict=True)
            )
        ]
    )
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    named = person("lead@example.org", profile=("Dominique", "Lead"))
    unnamed = person("=reviewer@example.org")
    by_account = person("jo@example.org", "Jo", "Reviewer")
    for application, reviewer in zip(made, [named, unnamed, by_account, named], strict=False):
        Assignment.objects.create(application=application, reviewer=reviewer, assigned_by=officer)
    return made


@pytest.fixture
def campaign() -> Iterator[Campaign]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        nord = load_preset("imt-nord-europe")
        files_of_every_shape(nord)
        yield nord


def officer_of(campaign: Campaign, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    return client


def body(client: Client, url: str) -> bytes:
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.streaming
    return b"".join(answer.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_cells_are_those_made_from_whole_rows(campaign: Campaign, language: str) -> None:
    files = Application.objects.filter(campaign=campaign)
    with translation.override(language):
        before = cells_from_models(files)
        after = list(export_rows(files))
    assert len(after) == 6
    assert after == before


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_workbook_is_the_one_openpyxl_wrote(campaign: Campaign, language: str) -> None:
    client = officer_of(campaign, language)
    with translation.override(language):
        header = [str(h) for h in EXPORT_HEADER]
        before = openpyxl_workbook(header, cells_from_models(Application.objects.all()))
        office = body(client, reverse("office:export_xlsx"))
    api = body(client, "/api/v1/staff/exports/files.xlsx")
    with zipfile.ZipFile(io.BytesIO(before)) as archive:
        sheet = archive.read(SHEET)
    for answer in (office, api):
        with zipfile.ZipFile(io.BytesIO(answer)) as archive:
            assert archive.read(SHEET) == sheet


def test_the_csv_and_the_workbook_hold_the_same_rows(campaign: Campaign) -> None:
    client = officer_of(campaign)
    with translation.override("en"):
        csv_url, xlsx_url = reverse("office:export"), reverse("office:export_xlsx")
    text = body(client, csv_url).decode("utf-8-sig")
    from_csv = list(csv.reader(io.StringIO(text, newline="")))
    sheet = load_workbook(io.BytesIO(body(client, xlsx_url))).active
    from_xlsx = [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert len(from_csv) == 7
    assert from_xlsx == from_csv
    # Quoted in both: no cell starts as a formula would.
    cells = [cell for row in from_csv[1:] for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'-only-address@example.org" in cells
    assert "'=reviewer@example.org" in cells
    assert "'\rroute" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_api_writes_every_row_in_the_language_asked_for(
    campaign: Campaign, extension: str
) -> None:
    """A streamed answer's rows are read once the view has returned, when the API's
    language is no longer active: its labels are translated before."""
    client = officer_of(campaign, "en")
    with translation.override("fr"):  # what the thread speaks once the answer has left
        answer = body(client, f"/api/v1/staff/exports/files.{extension}")
    with translation.override("en"):
        expected = cells_from_models(Application.objects.all())
    if extension == "csv":
        rows = list(csv.reader(io.StringIO(answer.decode("utf-8-sig"), newline="")))[1:]
        assert rows == [[str(cell) for cell in row] for row in expected]
    else:
        sheet = load_workbook(io.BytesIO(answer)).active
        assert [
            ["" if value is None else value for value in row]
            for row in sheet.iter_rows(min_row=2, values_only=True)
        ] == expected
