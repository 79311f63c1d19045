"""Query budgets of the staff's pages: the back office, a file's documents, finance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.urls import reverse

from admissions.catalog.models import DeadlineExtension, JurySession
from admissions.workflow.catalogue import apply_change, extend_deadline, rulebook_data
from tests.budgets.pages import Page, check_budgets
from tests.budgets.world import NORD, NOW, World, build

pytestmark = pytest.mark.django_db
OFFICER = f"officer@{NORD}"
FINANCE = f"finance@{NORD}"
ADMIN = f"admin@{NORD}"
PRESIDENT = f"president@{NORD}"


def url(name: str, *args: Callable[[World], object]) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[arg(world) for arg in args])


def submitted(world: World) -> str:
    return world.files["submitted"].reference


def row(name: str) -> Callable[[World], int]:
    return lambda world: world.rows[name].pk


def institution(world: World) -> int:
    return world.campaigns[NORD].institution.pk


def programme(world: World) -> int:
    return world.files["submitted"].programme_id


def jury_session(world: World) -> int:
    return JurySession.objects.filter(agenda__application__status="on_agenda").distinct().get().pk


def admitted_programme(world: World) -> int:
    return world.files["admitted"].programme_id


def admitted_campaign(world: World) -> int:
    return world.files["admitted"].campaign_id


def campaign(world: World) -> int:
    return world.campaigns[NORD].pk


OFFICE = [
    # The session with its user, the roles, the programmes with their files per step, the
    # list, what waits on you, and the campaigns (their targets) with the confirmations of
    # their values, in one query.
    # The figures kept a short while (office/home_figures.py) cost 2 more when counted again:
    # tests/office/test_home.py counts that case.
    Page("back office, first page", OFFICER, url("office:home"), 6),
    Page("back office, oldest page", OFFICER, lambda w: reverse("office:home") + "?last=1", 6),
    # The campaigns (choices, targets), the programmes, the page, its bounded count, the
    # reviewers to assign: the same in every order, filter and page.
    Page("the queue", OFFICER, url("office:queue"), 7),
    Page(
        "the queue by name, filtered, last page",
        OFFICER,
        lambda w: reverse("office:queue") + "?sort=name&last=1&nationality=eu&late=1&size=200",
        7,
    ),
    Page("the queue as XLSX", OFFICER, url("office:export_xlsx"), 5),
    # Profile, checklist, versions, review, interview, ledger, notes, history, reviewer:
    # each read once.
    Page("the whole file", OFFICER, url("office:file", submitted), 23),
    Page("interview slots", OFFICER, url("office:slots", programme), 5),
    Page("jury sessions", OFFICER, url("office:jury_sessions"), 11),
    Page("a jury's deliberation", OFFICER, url("office:jury_session", jury_session), 19),
    Page(
        "a jury's deliberation, president", PRESIDENT, url("office:jury_session", jury_session), 19
    ),
    Page("webhooks", f"admin@{NORD}", url("office:webhooks"), 6),
    # The tokens, the institutions to tie one to, the authenticator: each read once.
    Page("my API tokens", OFFICER, url("office:tokens"), 4),
    Page(
        "a webhook's deliveries",
        f"admin@{NORD}",
        url("office:webhook_deliveries", row("endpoint")),
        5,
    ),
    # The institution, the staff to filter by, the page of reads with their readers.
    Page("who read which document", ADMIN, lambda w: reverse("office:access_log", args=[NORD]), 6),
    Page(
        "who read which document, one reader and one file",
        ADMIN,
        lambda w: (
            reverse("office:access_log", args=[NORD])
            + f"?staff={w.people[OFFICER].pk}&file={w.files['submitted'].reference}&last=1"
        ),
        7,
    ),
    # The institution, the page of log-ins with their people.
    Page("staff log-ins", ADMIN, lambda w: reverse("office:login_log", args=[NORD]), 19),
    # The institution with its rules, the reader's permission, the changes with their authors.
    Page("bank details", ADMIN, lambda w: reverse("office:bank_details", args=[NORD]), 19),
    Page("places and waiting lists", OFFICER, url("office:places_index"), 6),
    Page(
        "a programme's places",
        OFFICER,
        url("office:places", admitted_programme, admitted_campaign),
        12,
    ),
    Page("a file's documents", OFFICER, url("documents:list", submitted), 14),
    # And one insert logging the staff's download of every document in it.
    Page("a file's documents in one PDF", OFFICER, url("documents:bundle", submitted), 11),
    Page("import into a file", OFFICER, url("documents:import", submitted), 5),
    Page("open a file from a ZIP", OFFICER, url("documents:import_new"), 6),
]


def catalogue(section: str, key: Callable[[World], str] | None = None) -> Callable[[World], str]:
    def address(world: World) -> str:
        args: list[object] = [campaign(world), section]
        if key is not None:
            args.append(key(world))
        name = "office:catalogue_edit_item" if key else "office:catalogue_edit"
        return reverse(name, args=args)

    return address


def first_programme(world: World) -> str:
    return world.campaigns[NORD].rules.programmes[0].slug


def first_document(world: World) -> str:
    return world.campaigns[NORD].rules.documents.requirements[0].code


CATALOGUE = [
    # The campaigns, and the last changes recorded (a bounded list).
    Page("the catalogue", ADMIN, url("office:catalogue"), 5),
    # The rules read once per process; the files counted by status in one query.
    Page("a campaign's catalogue", ADMIN, url("office:catalogue_campaign", campaign), 7),
    Page("campaign dates", ADMIN, catalogue("dates"), 4),
    Page("a programme", ADMIN, catalogue("programme", first_programme), 4),
    Page("fees", ADMIN, catalogue("fees"), 4),
    Page("a document required", ADMIN, catalogue("document", first_document), 4),
    Page("a new jury session", ADMIN, catalogue("jury-new"), 4),
    Page("extend a deadline", ADMIN, url("office:catalogue_extend", campaign), 4),
    Page("the rulebook as TOML", ADMIN, url("office:catalogue_export", campaign), 3),
]

FINANCE_PAGES = [
    Page("finance", FINANCE, url("office:finance:index"), 5),
    Page("payment issues", FINANCE, url("office:finance:issues"), 4),
    Page("bank statements", FINANCE, url("office:finance:statements"), 7),
    Page("a bank statement", FINANCE, url("office:finance:statement", row("statement")), 5),
    Page("refunds", FINANCE, url("office:finance:refunds"), 4),
    Page("a file's money", FINANCE, url("office:finance:file", submitted), 11),
    # One institution: straight to its page.
    Page("direct debits", FINANCE, url("office:finance:sepa"), 3, status=302),
    Page(
        "an institution's debits", FINANCE, url("office:finance:sepa_institution", institution), 8
    ),
    Page("a debit file", FINANCE, url("office:finance:sepa_batch", row("batch")), 4),
    Page("a debit file as XML", FINANCE, url("office:finance:sepa_batch_file", row("batch")), 3),
    Page("balances", FINANCE, url("office:finance:balances"), 5),
    Page("a campaign's balances", FINANCE, url("office:finance:balance_campaign", campaign), 5),
    Page(
        "a campaign's balances, last page",
        FINANCE,
        lambda w: reverse("office:finance:balance_campaign", args=[campaign(w)]) + "?last=1",
        5,
    ),
    Page(
        "a campaign's balances still owed",
        FINANCE,
        lambda w: reverse("office:finance:balance_campaign", args=[campaign(w)]) + "?owing=1",
        5,
    ),
    Page("exports", FINANCE, url("office:finance:export"), 3),
]


@time_machine.travel(NOW, tick=False)
def test_office_pages() -> None:
    check_budgets(build(), OFFICE)


@time_machine.travel(NOW, tick=False)
def test_finance_pages() -> None:
    check_budgets(build(), FINANCE_PAGES)


@time_machine.travel(NOW, tick=False)
def test_catalogue_pages() -> None:
    check_budgets(build(), CATALOGUE)


@time_machine.travel(NOW, tick=False)
def test_catalogue_pages_cost_the_same_with_more_changes_recorded() -> None:
    world = build()
    before = {page.label: page.load(world) for page in CATALOGUE}
    nord = world.campaigns[NORD]
    admin = world.people[ADMIN]
    for days in (20, 21, 22):
        data = rulebook_data(nord)
        data["confirmation"]["window_days"] = days
        apply_change(nord, data, by=admin, kind="fees", based_on=nord.rulebook_digest)
    extend_deadline(
        nord,
        which=DeadlineExtension.Which.GENERAL,
        new_date=nord.closes_on + dt.timedelta(days=2),
        reason="Panne",
        by=admin,
    )
    after = {page.label: page.load(world) for page in CATALOGUE}
    assert after == before


def with_programme(name: str, extension: str | None = None) -> Callable[[World], str]:
    """A report's address for the submitted file's campaign and programme."""

    def address(world: World) -> str:
        application = world.files["submitted"]
        args: list[object] = [application.campaign_id]
        if extension:
            args.append(extension)
        return reverse(name, args=args) + f"?programme={application.programme_id}"

    return address


# The kept totals only (workflow/report.py): the session with its user, their roles, the
# programmes in scope, the campaign, then one query each for the funnel, the days per step,
# the waiting list and the fees. The files' export reads its rows in chunks of
# `queue.EXPORT_CHUNK`: one query for the few rows of the budget's world.
REPORTS = [
    Page("reports", OFFICER, url("office:reports"), 4),
    Page("a campaign's report", OFFICER, url("office:report", campaign), 8),
    Page("a report of one programme", OFFICER, with_programme("office:report"), 8),
    Page("a report as CSV", OFFICER, with_programme("office:report_export", "csv"), 8),
    Page("a report as XLSX", OFFICER, with_programme("office:report_export", "xlsx"), 8),
    Page("a report's files as XLSX", OFFICER, with_programme("office:report_files", "xlsx"), 5),
]


@time_machine.travel(NOW, tick=False)
def test_report_pages() -> None:
    check_budgets(build(), REPORTS)
