"""Query budgets of the staff's pages: the back office, a file's documents, finance."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.urls import reverse

from tests.budgets.pages import Page, check_budgets
from tests.budgets.world import NORD, NOW, World, build

pytestmark = pytest.mark.django_db
OFFICER = f"officer@{NORD}"
FINANCE = f"finance@{NORD}"


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


def admitted_programme(world: World) -> int:
    return world.files["admitted"].programme_id


def admitted_campaign(world: World) -> int:
    return world.files["admitted"].campaign_id


def campaign(world: World) -> int:
    return world.campaigns[NORD].pk


OFFICE = [
    # The list, its bounded count, the files per step (one grouped query), what waits on you.
    Page("back office, first page", OFFICER, url("office:home"), 12),
    Page("back office, oldest page", OFFICER, lambda w: reverse("office:home") + "?last=1", 12),
    # Profile, checklist, versions, review, interview, ledger, notes, history: each read once.
    Page("the whole file", OFFICER, url("office:file", submitted), 23),
    Page("interview slots", OFFICER, url("office:slots", programme), 6),
    Page("places and waiting lists", OFFICER, url("office:places_index"), 7),
    Page(
        "a programme's places",
        OFFICER,
        url("office:places", admitted_programme, admitted_campaign),
        13,
    ),
    Page("a file's documents", OFFICER, url("documents:list", submitted), 15),
    Page("a file's documents in one PDF", OFFICER, url("documents:bundle", submitted), 11),
    Page("import into a file", OFFICER, url("documents:import", submitted), 6),
    Page("open a file from a ZIP", OFFICER, url("documents:import_new"), 7),
]

FINANCE_PAGES = [
    Page("finance", FINANCE, url("office:finance:index"), 6),
    Page("payment issues", FINANCE, url("office:finance:issues"), 5),
    Page("bank statements", FINANCE, url("office:finance:statements"), 8),
    Page("a bank statement", FINANCE, url("office:finance:statement", row("statement")), 6),
    Page("refunds", FINANCE, url("office:finance:refunds"), 5),
    Page("a file's money", FINANCE, url("office:finance:file", submitted), 12),
    # One institution: straight to its page.
    Page("direct debits", FINANCE, url("office:finance:sepa"), 4, status=302),
    Page(
        "an institution's debits", FINANCE, url("office:finance:sepa_institution", institution), 9
    ),
    Page("a debit file", FINANCE, url("office:finance:sepa_batch", row("batch")), 5),
    Page("a debit file as XML", FINANCE, url("office:finance:sepa_batch_file", row("batch")), 4),
    Page("balances", FINANCE, url("office:finance:balances"), 5),
    Page("a campaign's balances", FINANCE, url("office:finance:balance_campaign", campaign), 6),
    Page("exports", FINANCE, url("office:finance:export"), 4),
]


@time_machine.travel(NOW, tick=False)
def test_office_pages() -> None:
    check_budgets(build(), OFFICE)


@time_machine.travel(NOW, tick=False)
def test_finance_pages() -> None:
    check_budgets(build(), FINANCE_PAGES)
