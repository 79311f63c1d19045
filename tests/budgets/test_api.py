"""Query budgets of the API's endpoints, under /api/v1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from admissions.catalog import offer
from admissions.catalog.models import JurySession
from tests.budgets.pages import Page, check_budgets
from tests.budgets.world import NORD, NOW, World, build

pytestmark = pytest.mark.django_db
API = "/api/v1"


def at(path: Callable[[World], str] | str) -> Callable[[World], str]:
    return lambda world: API + (path(world) if callable(path) else path)


def first(related: str, stage: str = "submitted") -> Callable[[World], int]:
    def pk(world: World) -> int:
        return int(getattr(world.people[stage].profile, related).order_by("pk")[0].pk)

    return pk


def eligibility_answers(world: World) -> dict[str, Any]:
    programme = world.files["submitted"].programme.slug
    return {
        "institution": NORD,
        "programme": programme,
        "track": "full_time",
        "nationality": "FR",
        "residence_country": "FR",
        "diploma": {"level": 5, "kind": "master_m2", "country": "FR", "year": 2020},
        "experience_years": "0",
    }


def simulation(world: World) -> str:
    application = world.files["admitted"]
    return (
        f"/payments/simulate?institution={NORD}&programme={application.programme.slug}"
        f"&financing_mode={application.financing_mode}&track={application.track}"
    )


ENDPOINTS = [
    Page(
        "eligibility check",
        "anonymous",
        at("/eligibility/check"),
        0,
        method="post",
        data=eligibility_answers,
    ),
    Page("cost simulator", "anonymous", at(simulation), 4),
    Page("profile", "submitted", at("/me/profile"), 5),
    Page("identity", "submitted", at("/me/profile/identity"), 2),
    Page("residence", "submitted", at("/me/profile/residence"), 2),
    Page("French level", "submitted", at("/me/profile/french"), 2),
    Page("experience", "submitted", at("/me/profile/experience"), 3),
    Page("diplomas", "submitted", at("/me/profile/education"), 3),
    Page(
        "a diploma",
        "submitted",
        at(lambda w: f"/me/profile/education/{first('education')(w)}"),
        3,
    ),
    Page("jobs", "submitted", at("/me/profile/work"), 3),
    Page("a job", "submitted", at(lambda w: f"/me/profile/work/{first('work_periods')(w)}"), 3),
    Page("my applications", "draft", at("/applications"), 3),
    Page("my draft", "draft", at(lambda w: f"/applications/{w.files['draft'].reference}"), 3),
    Page(
        "the check before submitting",
        "draft",
        at(lambda w: f"/applications/{w.files['draft'].reference}/check"),
        12,
    ),
    Page(
        "my documents",
        "submitted",
        at(lambda w: f"/documents/{w.files['submitted'].reference}"),
        6,
    ),
    Page(
        "a document's file",
        "submitted",
        at(lambda w: f"/documents/files/{w.rows['document'].current_version.public_id}"),
        2,
    ),
    Page("institutions", "anonymous", at("/catalogue/institutions"), 1),
    Page("campaigns", "anonymous", at("/catalogue/campaigns"), 1),
    Page("the catalogue", "anonymous", at("/catalogue/programmes"), 2),
    Page(
        "a programme",
        "anonymous",
        at(lambda w: f"/catalogue/programmes/{NORD}/{w.files['submitted'].programme.slug}"),
        4,
    ),
    Page(
        "eligibility from my profile",
        "submitted",
        at("/eligibility/check-my-profile"),
        6,
        method="post",
        data=lambda w: {
            "institution": NORD,
            "programme": w.files["submitted"].programme.slug,
            "track": "full_time",
        },
    ),
    Page(
        "my file's messages",
        "submitted",
        at(lambda w: f"/applications/{w.files['submitted'].reference}/messages"),
        6,
    ),
    Page(
        "my file's payments",
        "submitted",
        at(lambda w: f"/applications/{w.files['submitted'].reference}/payments"),
        5,
    ),
    Page("my tokens", "submitted", at("/me/tokens"), 2),
    Page("the staff's list", f"officer@{NORD}", at("/staff/files"), 3),
    Page(
        "the whole file",
        f"officer@{NORD}",
        at(lambda w: f"/staff/files/{w.files['submitted'].reference}"),
        20,  # the reviewer given the file is one more read
    ),
    Page("webhook endpoints", f"admin@{NORD}", at("/webhooks"), 3),
    # The status page's summary: the steps, history, confirmation, waiting list, condition.
    Page(
        "my offer",
        "admitted",
        at(lambda w: f"/applications/{w.files['admitted'].reference}/offer"),
        16,
    ),
    Page("jury sessions", f"officer@{NORD}", at("/staff/jury/sessions"), 4),
    Page(
        "a jury session",
        f"president@{NORD}",
        at(lambda w: f"/staff/jury/sessions/{jury_session(w)}"),
        12,
    ),
    Page(
        "a jury's agenda",
        f"president@{NORD}",
        at(lambda w: f"/staff/jury/sessions/{jury_session(w)}/agenda"),
        # The reader's roles, read once per request: a staff session expires sooner.
        6,
    ),
    Page(
        "a campaign's report",
        f"officer@{NORD}",
        at(lambda w: f"/staff/reports/{w.files['submitted'].campaign_id}"),
        8,
    ),
    Page(
        "the values to confirm",
        f"admin@{NORD}",
        at(lambda w: f"/staff/campaigns/{w.files['submitted'].campaign_id}/to-confirm"),
        5,
    ),
    Page(
        "an email's wording",
        f"admin@{NORD}",
        at(f"/staff/institutions/{NORD}/emails/file_complete/fr"),
        5,
    ),
    Page("what an erasure would do", "submitted", at("/me/data"), 2),
    Page("places", f"officer@{NORD}", at("/staff/places"), 5),
    Page(
        "a programme's places",
        f"officer@{NORD}",
        at(
            lambda w: (
                f"/staff/places/{w.files['admitted'].programme_id}/"
                f"{w.files['admitted'].campaign_id}"
            )
        ),
        12,
    ),
    Page(
        "interview slots",
        f"officer@{NORD}",
        at(lambda w: f"/staff/interviews/{w.files['submitted'].programme_id}/slots"),
        4,
    ),
]


def jury_session(world: World) -> int:
    found = JurySession.objects.filter(agenda__application__status="on_agenda").distinct().get()
    return int(found.pk)


@time_machine.travel(NOW, tick=False)
def test_api_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    # The open offer is read again every few seconds; a slow machine must not put that
    # read inside a measured request: the budget is a request that finds the offer kept.
    monkeypatch.setattr(offer, "KEPT_SECONDS", 3600.0)
    check_budgets(build(), ENDPOINTS)
