"""The staff's home, element by element: the links each role gets, the files waiting on the
reader with their lateness, the waiting times, the counts per step, the filter form and the
list. The page's loops are written in Python (office/home_html.py); this pins what they
write to what the template wrote, so that a faster page stays the same page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from lxml import html

from admissions.applications import step_counts
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.people.models import CandidateProfile, Role
from admissions.workflow.messages import post_message
from tests.factories import IN_NORD_CAMPAIGN, load_preset, programme_of, staff_member
from tests.office.test_home import _files

pytestmark = pytest.mark.django_db

LINKS = [
    ("/en/office/queue/", "Queue of files"),
    ("/en/office/messages/", "Messages from candidates"),
    ("/en/office/outbox/", "Outbox"),
    ("/en/office/jury/", "Jury sessions"),
    ("/en/office/places/", "Places and waiting lists"),
    ("/en/office/reports/", "Reports"),
]
OWN = [
    ("/en/office/tokens/", "My API tokens"),
    ("/en/me/logins/", "My recent log-ins"),
    ("/en/accounts/2fa/", "Two-factor authentication"),
]
IMPORT = [("/en/documents/import/", "Open a file from a ZIP archive")]
ADMIN = [
    ("/en/office/emails/", "The institution's emails"),
    ("/en/office/catalogue/", "The institution's catalogue"),
    ("/en/office/webhooks/", "Webhooks"),
    ("/en/office/access-log/", "Who read which document"),
    ("/en/office/logins/", "Staff log-ins"),
    ("/en/office/bank-details/", "Bank details"),
]


def _cells(row: Any) -> list[str]:
    return [" ".join(cell.text_content().split()) for cell in row.xpath("./td|./th")]


def _table(page: Any, heading: str) -> Any:
    [table] = page.xpath(f'//h2[@id="{heading}"]/following-sibling::div[1]/table')
    return table


@pytest.fixture
def scene(client: Client, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        campaign = load_preset("imt-nord-europe")
        cyber = programme_of(campaign, "ms-cybersecurite")
        energy = programme_of(campaign, "ms-transition-energetique")
        late, fresh = _files(2, campaign, cyber)
        [other] = _files(1, campaign, energy)
        Application.objects.filter(pk=other.pk).update(status=Status.ADMISSIBLE)
        # Over the Nord rulebook's target of 7 days in a step.
        Application.objects.filter(pk=late.pk).update(
            status_changed_at=timezone.now() - dt.timedelta(days=9)
        )
        CandidateProfile.objects.filter(user=late.candidate).update(
            given_names="<b>Zoé</b>", family_name="O'Brien"
        )
        step_counts.rebuild()
        with django_capture_on_commit_callbacks(execute=True):
            post_message(fresh, by=fresh.candidate, body="A question.")
        cache.clear()
        return {
            "campaign": campaign,
            "cyber": cyber,
            "energy": energy,
            "late": Application.objects.get(pk=late.pk),
            "fresh": Application.objects.get(pk=fresh.pk),
            "other": Application.objects.get(pk=other.pk),
        }


def _page(client: Client, user: Any, query: str = "") -> Any:
    client.force_login(user)
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        response = client.get("/en/office/" + query)
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def _links(page: Any) -> list[tuple[str, str]]:
    return [
        (link.get("href"), " ".join(link.text_content().split()))
        for link in page.xpath('//ul[@class="office-links"]/li/a')
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMISSIONS_OFFICER, LINKS + IMPORT + OWN),
        (Role.PEDAGOGICAL_LEAD, LINKS + OWN),
        (Role.FINANCE_OFFICER, [*LINKS, ("/en/office/finance/", "Finance"), *OWN]),
    ],
)
def test_each_role_gets_its_links_the_unread_messages_counted(
    client: Client, scene: dict[str, Any], role: Role, expected: list[tuple[str, str]]
) -> None:
    user = staff_member(role, institution=scene["campaign"].institution)
    page = _page(client, user)
    links = _links(page)
    unread = [text for href, text in links if href == "/en/office/messages/"]
    assert unread == ["Messages from candidates 1 unread"]
    assert [(h, t.removesuffix(" 1 unread")) for h, t in links] == expected
    [badge] = page.xpath('//ul[@class="office-links"]//span[@class="badge warning"]')
    assert badge.text == "1 unread"


def test_an_institution_administrator_gets_the_institution_s_pages(
    client: Client, scene: dict[str, Any]
) -> None:
    user = staff_member(Role.INSTITUTION_ADMIN, institution=scene["campaign"].institution)
    links = [(h, t.removesuffix(" 1 unread")) for h, t in _links(_page(client, user))]
    assert links[: len(LINKS)] == LINKS
    assert links[len(LINKS) :] == ADMIN + IMPORT + OWN


def test_the_tables_and_the_form_show_each_file_once_in_its_place(
    client: Client, scene: dict[str, Any]
) -> None:
    late, fresh, other = scene["late"], scene["fresh"], scene["other"]
    cyber, energy = scene["cyber"], scene["energy"]
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=scene["campaign"].institution)
    page = _page(client, officer)

    # Waiting on the officer: the longest waiting first, the late one marked and explained.
    waiting = _table(page, "waiting").xpath("./tbody/tr")
    assert [row.get("class") for row in waiting] == ["late", None, None]
    assert _cells(waiting[0]) == [
        late.reference,
        "<b>Zoé</b> O'Brien",
        cyber.name,
        "Submitted",
        "9 (over 7 days)",
    ]
    assert waiting[0].xpath("./td[1]/a/@href") == [f"/en/office/files/{late.reference}/"]
    assert waiting[0].xpath("./td[5]/strong/text()") == ["(over 7 days)"]
    assert {_cells(row)[0] for row in waiting[1:]} == {fresh.reference, other.reference}
    assert [_cells(row)[-1] for row in waiting[1:]] == ["0", "0"]

    # Waiting times: per step, the files waiting and those over the target, each a link.
    steps = _table(page, "late").xpath("./tbody/tr")
    by_step = {_cells(row)[0]: row for row in steps}
    submitted = by_step["Submitted"]
    assert submitted.get("class") == "late"
    assert _cells(submitted) == ["Submitted", "2 Submitted", "1 over the target, Submitted"]
    assert submitted.xpath("./td[1]/a/@href") == ["/en/office/queue/?status=submitted&sort=waiting"]
    assert submitted.xpath("./td[2]/a/@href") == [
        "/en/office/queue/?status=submitted&late=1&sort=waiting"
    ]
    assert submitted.xpath("./td[2]/a/strong/text()") == ["1"]
    admissible = by_step["Admissible"]
    assert admissible.get("class") is None
    assert _cells(admissible) == ["Admissible", "1 Admissible", "0"]

    # Files per step: the steps with files as columns, a programme per row, its total.
    counts = _table(page, "counts")
    head = _cells(counts.xpath("./thead/tr")[0])
    assert head == ["Programme", "Submitted", "Admissible", "Total"]
    assert sorted(_cells(row) for row in counts.xpath("./tbody/tr")) == sorted(
        [[cyber.name, "2", "0", "2"], [energy.name, "0", "1", "1"]]
    )

    # The filter form: every status but draft, the programmes with files, nothing chosen.
    statuses = page.xpath('//select[@name="status"]/option')
    assert [(o.get("value"), o.text) for o in statuses] == [("", "All")] + [
        (s.value, s.label) for s in Status if s != Status.DRAFT
    ]
    assert not [o for o in statuses if o.get("selected") is not None]
    programmes = page.xpath('//select[@name="programme"]/option')
    mine = sorted([(str(cyber.pk), cyber.name), (str(energy.pk), energy.name)], key=lambda p: p[1])
    assert [(o.get("value"), o.text) for o in programmes] == [("", "All"), *mine]

    # The list: newest submitted first, each row's cells.
    files = page.xpath('//h2[@id="files"]/following-sibling::div[@class="table-wrap"]//tbody/tr')
    assert len(files) == 3
    row = next(r for r in files if _cells(r)[0] == late.reference)
    moment = timezone.localtime(late.submitted_at).strftime("%d/%m/%Y %H:%M")
    assert _cells(row) == [late.reference, "<b>Zoé</b> O'Brien", cyber.name, "Submitted", moment]


def test_the_chosen_filters_are_selected_and_the_list_narrowed(
    client: Client, scene: dict[str, Any]
) -> None:
    cyber = scene["cyber"]
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=scene["campaign"].institution)
    page = _page(client, officer, f"?status=submitted&programme={cyber.pk}")
    assert page.xpath('//select[@name="status"]/option[@selected]/@value') == ["submitted"]
    assert page.xpath('//select[@name="programme"]/option[@selected]/@value') == [str(cyber.pk)]
    files = page.xpath('//h2[@id="files"]/following-sibling::div[@class="table-wrap"]//tbody/tr')
    assert {_cells(row)[0] for row in files} == {scene["late"].reference, scene["fresh"].reference}


def test_a_reader_of_one_programme_sees_nothing_of_the_others(
    client: Client, scene: dict[str, Any]
) -> None:
    energy = scene["energy"]
    reader = staff_member(Role.ADMISSIONS_OFFICER, programme=energy)
    page = _page(client, reader, f"?programme={scene['cyber'].pk}")
    text = html.tostring(page, encoding="unicode")
    for hidden in (scene["late"], scene["fresh"]):
        assert hidden.reference not in text
    assert scene["cyber"].name not in text
    assert page.xpath('//select[@name="programme"]/option/@value') == ["", str(energy.pk)]
    assert [_cells(r)[0] for r in _table(page, "waiting").xpath("./tbody/tr")] == [
        scene["other"].reference
    ]
