"""A candidate reaches everything about their file by following links, and no link is broken.

The walk starts at the dashboard and follows every same-site link of every page it reaches
(GET only: forms that post are not links), as a candidate with a draft would by clicking.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from admissions.applications.history import transition
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents.status import application_checklist
from admissions.people.models import Role, User
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)

# Enough for every page a candidate can reach from a draft; reaching it means a loop.
MAX_PAGES = 250
# Addresses a candidate must never be shown.
STAFF_ONLY = ("/office/", "/admin/", "/review/", "/fee-paid/", "/documents/import/")


class Links(HTMLParser):
    """The targets of a page's links and of its forms."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.form_actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag == "form" and values.get("action"):
            self.form_actions.append(str(values["action"]))


def links_of(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


@dataclass
class Walk:
    """Every page reached, with its status and the links and forms found on it."""

    statuses: dict[str, int] = field(default_factory=dict)
    found_on: dict[str, str] = field(default_factory=dict)  # address -> first page linking it
    hrefs: dict[str, list[str]] = field(default_factory=dict)  # page -> links, fragments kept
    forms: dict[str, list[str]] = field(default_factory=dict)

    def reached(self, address: str) -> bool:
        return self.statuses.get(address) == 200

    def broken(self) -> list[str]:
        return [
            f"{address} -> {status} (linked from {self.found_on.get(address)})"
            for address, status in self.statuses.items()
            if status != 200
        ]


def same_site(href: str) -> str | None:
    """The address a link leads to on this site, without its fragment; None for others."""
    parts = urlsplit(href)
    if parts.scheme and parts.netloc != "testserver":
        return None
    if parts.scheme not in ("", "http"):
        return None  # mailto:, tel:
    address = urldefrag(href).url
    path = urlsplit(address).path
    if not path.startswith("/") or path.startswith(("/static/", "/i18n/")):
        return None
    if "/accounts/logout/" in path:
        return None
    return address


def walk(client: Client, start: str) -> Walk:
    result = Walk()
    queue = deque([start])
    result.found_on[start] = "(start)"
    while queue:
        assert len(result.statuses) < MAX_PAGES, "the walk does not end: a loop of addresses?"
        address = queue.popleft()
        if address in result.statuses:
            continue
        response = client.get(address, follow=True)
        result.statuses[address] = response.status_code
        if "text/html" not in response.get("Content-Type", ""):
            continue  # a PDF, a ZIP: nothing to follow
        page = links_of(response.content.decode())
        result.hrefs[address] = page.hrefs
        result.forms[address] = page.form_actions
        for href in page.hrefs:
            target = same_site(href)
            if target is not None and target not in result.statuses:
                result.found_on.setdefault(target, address)
                queue.append(target)
    return result


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture
def candidate(db: None) -> User:
    return eligible_candidate()


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def bs(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-bs")


def url(name: str, *args: object) -> str:
    with translation.override("fr"):
        return reverse(name, args=args)


def file_pages(application: Application) -> dict[str, str]:
    reference = application.reference
    return {
        "application": url("portal:application", reference),
        "documents": url("documents:list", reference),
        "payments": url("payments:overview", reference),
        "status": url("portal:application_status", reference),
        "withdraw": url("portal:application_withdraw", reference),
    }


def assert_whole(result: Walk, application: Application) -> None:
    assert not result.broken(), "broken links:\n" + "\n".join(result.broken())
    pages = file_pages(application)
    for name, address in pages.items():
        assert result.reached(address), f"the {name} page is not linked"
    simulations = [a for a in result.statuses if a.startswith(url("payments:simulator"))]
    assert any(
        f"programme={application.programme_id}" in a and "track=" in a for a in simulations
    ), "no link to the costs of the candidate's own choices"
    every_link = [href for hrefs in result.hrefs.values() for href in hrefs]
    every_link += [action for actions in result.forms.values() for action in actions]
    shown = [href for href in every_link if any(part in href for part in STAFF_ONLY)]
    assert not shown, f"staff-only addresses shown to a candidate: {shown}"


def test_everything_about_a_draft_paid_by_transfer_is_reached_by_links(
    client: Client, candidate: User, nord: Campaign
) -> None:
    application = draft(candidate, nord)
    client.force_login(candidate)
    result = walk(client, url("portal:dashboard"))
    assert_whole(result, application)
    transfer = url("payments:transfer", application.reference, "application_fee", 0)
    assert result.reached(transfer)
    assert transfer in result.hrefs[url("portal:application", application.reference)]
    assert result.reached(url("payments:transfer_pdf", application.reference, "application_fee", 0))


def test_everything_about_a_draft_paid_by_card_is_reached_by_links(
    client: Client, candidate: User, bs: Campaign
) -> None:
    application = draft(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    client.force_login(candidate)
    result = walk(client, url("portal:dashboard"))
    assert_whole(result, application)
    overview = url("payments:overview", application.reference)
    card = url("payments:card_start", application.reference, "application_fee", 0)
    assert card in result.forms[overview]
    assert not any("/transfer/" in href for href in result.hrefs[overview])


def test_each_checklist_item_links_to_its_upload_form(
    client: Client, candidate: User, nord: Campaign
) -> None:
    application = draft(candidate, nord)
    client.force_login(candidate)
    detail = client.get(url("portal:application", application.reference)).content.decode()
    documents = client.get(url("documents:list", application.reference)).content.decode()
    codes = [item.code for item in application_checklist(application)]
    assert codes
    for code in codes:
        assert f'href="{url("documents:list", application.reference)}#doc-{code}"' in detail
        assert f'id="doc-{code}"' in documents
        assert url("documents:upload", application.reference, code) in documents


def test_the_home_page_and_each_programme_link_to_the_cost_simulator(
    client: Client, nord: Campaign
) -> None:
    home = links_of(client.get("/").content.decode()).hrefs
    simulator = url("payments:simulator")
    assert simulator in home
    for programme in nord.institution.programmes.filter(is_active=True):
        assert f"{simulator}?programme={programme.pk}" in home
        assert url("portal:application_start", nord.pk, programme.pk) in home


def test_the_status_page_of_a_draft_links_to_the_application(
    client: Client, candidate: User, nord: Campaign
) -> None:
    application = draft(candidate, nord)
    client.force_login(candidate)
    with translation.override("en"):
        status_url = reverse("portal:application_status", args=[application.reference])
        day = formats.date_format(dt.date(2024, 6, 7), "DATE_FORMAT")
        next_day = formats.date_format(dt.date(2024, 6, 8), "DATE_FORMAT")
    body = client.get(status_url).content.decode()
    assert f"Before {day} at midnight (Paris time)." in body
    assert next_day not in body
    next_panel = body[body.index('id="next-title"') : body.index('id="steps-title"')]
    assert 'href="/en/me/applications/' in next_panel
    assert "Complete my application" in next_panel


def test_the_status_page_sends_to_the_documents_when_some_must_be_replaced(
    client: Client, candidate: User, nord: Campaign
) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, programme=application.programme)
    transition(application, action="request_documents", by=officer)
    client.force_login(candidate)
    with translation.override("en"):
        status_url = reverse("portal:application_status", args=[application.reference])
        documents_url = reverse("documents:list", args=[application.reference])
    body = client.get(status_url).content.decode()
    next_panel = body[body.index('id="next-title"') : body.index('id="steps-title"')]
    assert f'href="{documents_url}"' in next_panel
    assert "Replace my documents" in next_panel


def test_a_submitted_file_is_still_reached_whole(
    client: Client, candidate: User, nord: Campaign
) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    client.force_login(candidate)
    result = walk(client, url("portal:dashboard"))
    assert not result.broken(), "broken links:\n" + "\n".join(result.broken())
    for name in ("application", "documents", "payments", "status", "withdraw"):
        assert result.reached(file_pages(application)[name]), name
