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
    Page("home, candidate", "submitted", url("portal:home"), 4),
    Page("dashboard", "submitted", url("portal:dashboard"), 8),
    Page("my API tokens", "submitted", url("portal:tokens"), 3),
    Page("my log-ins", "submitted", url("portal:logins"), 20),
    Page("profile", "submitted", url("portal:profile"), 6),
    Page("identity", "submitted", url("portal:profile_identity"), 3),
    Page("residence", "submitted", url("portal:profile_residence"), 3),
    Page("French level", "submitted", url("portal:profile_french"), 3),
    Page("add a diploma", "submitted", url("portal:education_add"), 3),
    Page("a diploma", "submitted", url("portal:education_edit", first("education")), 4),
    Page("delete a diploma", "submitted", url("portal:education_delete", first("education")), 4),
    Page("add a job", "submitted", url("portal:work_add"), 3),
    Page("a job", "submitted", url("portal:work_edit", first("work_periods")), 4),
    Page("delete a job", "submitted", url("portal:work_delete", first("work_periods")), 4),
    Page("self-check", "anonymous", url("portal:self_check"), 5),
    Page("accessibility statement", "anonymous", url("portal:accessibility"), 1),
    Page("my applications", "draft", url("portal:applications"), 3),
    Page("new application", "draft", url("portal:application_new"), 7),
    Page(
        "start an application",
        "account",
        url(
            "portal:application_start",
            lambda world: world.files["draft"].campaign_id,
            lambda world: world.files["draft"].programme_id,
        ),
        6,
    ),
    Page("draft", "draft", url("portal:application", ref("draft")), 16),
    # Kept rendered under a version read from the data (portal/status_cache.py): the
    # session, the user and the version. Rendered, the page costs 8 queries for a
    # submitted file, 21 for an admitted one (tests/portal/test_status_page_kept.py).
    Page("status, submitted", "submitted", url("portal:application_status", ref("submitted")), 3),
    Page("status, admitted", "admitted", url("portal:application_status", ref("admitted")), 3),
    Page("status, withdrawn", "withdrawn", url("portal:application_status", ref("withdrawn")), 3),
    Page("withdraw", "submitted", url("portal:application_withdraw", ref("submitted")), 3),
    Page("decline", "admitted", url("portal:application_decline", ref("admitted")), 3),
    # The institutions, their rules read once per process.
    Page("privacy notice", "anonymous", url("privacy:notice"), 1),
    # The files with their last ledger entry in one query, whatever their number.
    Page("my data, files in progress", "draft", url("privacy:my_data"), 3),
    Page("my data, admitted", "admitted", url("privacy:my_data"), 3),
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
    Page("documents, draft", "draft", url("documents:list", ref("draft")), 10),
    Page("documents, submitted", "submitted", url("documents:list", ref("submitted")), 10),
    Page("a document's file", "submitted", url("documents:download", current_version), 3),
]

PAYMENTS = [
    Page("cost simulator", "anonymous", url("payments:simulator"), 1),
    Page("payments, draft", "draft", url("payments:overview", ref("draft")), 8),
    Page("payments, submitted", "submitted", url("payments:overview", ref("submitted")), 8),
    Page("payments, admitted", "admitted", url("payments:overview", ref("admitted")), 8),
    Page("direct-debit mandate", "admitted", url("payments:mandate", ref("admitted")), 4),
    Page(
        "a receipt",
        "submitted",
        url("payments:document", ref("submitted"), lambda world: world.rows["receipt"].pk),
        4,
    ),
    Page(
        "an invoice",
        "admitted",
        url("payments:document", ref("admitted"), lambda world: world.rows["invoice"].pk),
        4,
    ),
    Page(
        "bank transfer, fee",
        "draft",
        url("payments:transfer", ref("draft"), lambda world: "application_fee", lambda w: 0),
        7,
    ),
    Page(
        "bank transfer, fee, as PDF",
        "draft",
        url("payments:transfer_pdf", ref("draft"), lambda world: "application_fee", lambda w: 0),
        4,
    ),
    Page(
        "bank transfer, instalment",
        "admitted",
        url("payments:transfer", ref("admitted"), lambda world: "tuition", lambda w: 2),
        5,
    ),
]


CARD = [
    Page(
        "card payment (demonstration provider)",
        "account",
        url("payments:demo_checkout", lambda world: world.rows["checkout"].session_id),
        3,
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
        5,
    ),
]


@time_machine.travel(NOW, tick=False)
def test_document_and_payment_pages() -> None:
    check_budgets(build(), DOCUMENTS + PAYMENTS + CARD)
