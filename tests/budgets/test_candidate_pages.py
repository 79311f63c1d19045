"""Query budgets of the candidate's pages: portal, documents, payments."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine
from django.urls import reverse

from tests.budgets.pages import Page, check_budgets
from tests.budgets.world import NOW, World, build

pytestmark = pytest.mark.django_db


def ref(stage: str) -> Callable[[World], str]:
    return lambda world: world.files[stage].reference


def url(name: str, *args: Callable[[World], object]) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[arg(world) for arg in args])


def first(related: str) -> Callable[[World], int]:
    def pk(world: World) -> int:
        return int(getattr(world.people["submitted"].profile, related).order_by("pk")[0].pk)

    return pk


PORTAL = [
    Page("home, visitor", "anonymous", url("portal:home"), 2),
    Page("home, candidate", "submitted", url("portal:home"), 3),
    Page("dashboard", "submitted", url("portal:dashboard"), 7),
    Page("my API tokens", "submitted", url("portal:tokens"), 2),
    Page("my log-ins", "submitted", url("portal:logins"), 19),
    Page("profile", "submitted", url("portal:profile"), 5),
    Page("identity", "submitted", url("portal:profile_identity"), 2),
    Page("residence", "submitted", url("portal:profile_residence"), 2),
    Page("French level", "submitted", url("portal:profile_french"), 2),
    Page("add a diploma", "submitted", url("portal:education_add"), 2),
    Page("a diploma", "submitted", url("portal:education_edit", first("education")), 3),
    Page("delete a diploma", "submitted", url("portal:education_delete", first("education")), 3),
    Page("add a job", "submitted", url("portal:work_add"), 2),
    Page("a job", "submitted", url("portal:work_edit", first("work_periods")), 3),
    Page("delete a job", "submitted", url("portal:work_delete", first("work_periods")), 3),
    Page("self-check", "anonymous", url("portal:self_check"), 5),
    Page("accessibility statement", "anonymous", url("portal:accessibility"), 1),
    Page("my applications", "draft", url("portal:applications"), 2),
    Page("new application", "draft", url("portal:application_new"), 6),
    Page(
        "start an application",
        "account",
        url(
            "portal:application_start",
            lambda world: world.files["draft"].campaign_id,
            lambda world: world.files["draft"].programme_id,
        ),
        5,
    ),
    Page("draft", "draft", url("portal:application", ref("draft")), 15),
    # Kept rendered under a version read from the data (portal/status_cache.py): the
    # session with its user (one statement) and the version. Rendered, the page costs 7
    # queries for a submitted file, 20 for an admitted one
    # (tests/portal/test_status_page_kept.py).
    Page("status, submitted", "submitted", url("portal:application_status", ref("submitted")), 2),
    Page("status, admitted", "admitted", url("portal:application_status", ref("admitted")), 2),
    Page("status, withdrawn", "withdrawn", url("portal:application_status", ref("withdrawn")), 2),
    Page("withdraw", "submitted", url("portal:application_withdraw", ref("submitted")), 2),
    Page("decline", "admitted", url("portal:application_decline", ref("admitted")), 2),
    # The institutions, their rules read once per process.
    Page("privacy notice", "anonymous", url("privacy:notice"), 1),
    # The files with their last ledger entry in one query, whatever their number.
    Page("my data, files in progress", "draft", url("privacy:my_data"), 2),
    Page("my data, admitted", "admitted", url("privacy:my_data"), 2),
]


@time_machine.travel(NOW, tick=False)
def test_portal_pages() -> None:
    check_budgets(build(), PORTAL)


def current_version(world: World) -> object:
    document = world.rows["document"]
    return document.current_version.public_id


def line_of(stage: str) -> Callable[[World], str]:
    return lambda world: "tuition"


DOCUMENTS = [
    Page("documents, draft", "draft", url("documents:list", ref("draft")), 9),
    Page("documents, submitted", "submitted", url("documents:list", ref("submitted")), 9),
    Page("a document's file", "submitted", url("documents:download", current_version), 2),
]

PAYMENTS = [
    Page("cost simulator", "anonymous", url("payments:simulator"), 1),
    Page("payments, draft", "draft", url("payments:overview", ref("draft")), 7),
    Page("payments, submitted", "submitted", url("payments:overview", ref("submitted")), 7),
    Page("payments, admitted", "admitted", url("payments:overview", ref("admitted")), 7),
    Page("direct-debit mandate", "admitted", url("payments:mandate", ref("admitted")), 3),
    Page(
        "a receipt",
        "submitted",
        url("payments:document", ref("submitted"), lambda world: world.rows["receipt"].pk),
        3,
    ),
    Page(
        "an invoice",
        "admitted",
        url("payments:document", ref("admitted"), lambda world: world.rows["invoice"].pk),
        3,
    ),
    Page(
        "bank transfer, fee",
        "draft",
        url("payments:transfer", ref("draft"), lambda world: "application_fee", lambda w: 0),
        6,
    ),
    Page(
        "bank transfer, fee, as PDF",
        "draft",
        url("payments:transfer_pdf", ref("draft"), lambda world: "application_fee", lambda w: 0),
        3,
    ),
    Page(
        "bank transfer, instalment",
        "admitted",
        url("payments:transfer", ref("admitted"), lambda world: "tuition", lambda w: 2),
        4,
    ),
]


CARD = [
    Page(
        "card payment (demonstration provider)",
        "account",
        url("payments:demo_checkout", lambda world: world.rows["checkout"].session_id),
        2,
    ),
    Page(
        "back from a card payment",
        "account",
        lambda world: (
            reverse(
                "payments:card_done", args=[world.files["card"].reference, "application_fee", 0]
            )
            + f"?session_id={world.rows['checkout'].session_id}"
        ),
        4,
    ),
]


@time_machine.travel(NOW, tick=False)
def test_document_and_payment_pages() -> None:
    check_budgets(build(), DOCUMENTS + PAYMENTS + CARD)
