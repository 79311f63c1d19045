"""The campaign's report and the office list's bulk actions through the API: the page's
figures and moves, through the same services, within the same scope (404 outside)."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.test import Client

from admissions.catalog.models import Campaign
from admissions.people.models import Role, StaffRole, User
from admissions.people.token_service import create_token
from admissions.review.models import Assignment
from admissions.workflow.models import Message
from tests.api.test_staff_api import as_, sent
from tests.api.test_tokens import SECRET, totp_now
from tests.factories import eligible_candidate, load_preset, staff_member
from tests.office.test_reports import World, world  # noqa: F401 - the report's known files

pytestmark = pytest.mark.django_db


def report_url(campaign: Campaign) -> str:
    return f"/api/v1/staff/reports/{campaign.pk}"


def test_the_report_gives_the_pages_numbers(world: World) -> None:  # noqa: F811
    client = as_(world.officer)
    answer = client.get(report_url(world.campaign), {"programme": world.cyber.pk})
    assert answer.status_code == 200, answer.content
    report = answer.json()
    assert [p["id"] for p in report["programmes"]] == [world.cyber.pk]
    assert {p["id"] for p in report["choosable"]} >= {world.cyber.pk, world.energy.pk}
    funnel = {row["step"]: (row["files"], row["share"]) for row in report["funnel"]}
    assert funnel["drafts"] == (4, None)
    assert funnel["submitted"] == (3, "100.0")
    assert funnel["complete"] == (2, "66.7")
    assert funnel["enrolled"] == (1, "33.3")
    nationality = next(b for b in report["breakdowns"] if b["dimension"] == "nationality")
    assert {row["label"]: row["files"]["submitted"] for row in nationality["rows"]} == {
        "EU": 1,
        "Outside the EU": 1,
        "Not known": 1,
    }
    admissible = next(row for row in report["durations"] if row["step"] == "admissible")
    assert admissible["files"] == 2
    assert admissible["median"] == {"low": 4, "high": 4, "text": "4 days"}
    assert admissible["p90"]["text"] == "14 to 20 days"
    waitlist = {row["label"]: row["files"] for row in report["waitlist"]}
    assert waitlist["Put on the waiting list"] == 1
    assert waitlist["Offered a place on condition"] == 1
    assert report["waiting_now"] == 0
    fee = world.fee
    total = report["fee_total"]
    assert total["charge_kind"] == ""
    assert total["charged_cents"] == 4 * fee
    assert total["collected_cents"] == fee - 1000
    assert total["refunded_cents"] == 1000
    assert total["written_off_cents"] == fee
    assert total["outstanding_cents"] == 2 * fee + 1000
    whole = client.get(report_url(world.campaign)).json()
    assert whole["funnel"][1]["files"] == 4  # every programme of mine: the energy file too
    french = as_(world.officer).get(report_url(world.campaign), HTTP_ACCEPT_LANGUAGE="fr")
    assert french.json()["funnel"][0]["label"] == "Brouillons"


def test_the_report_answers_404_outside_its_scope(world: World) -> None:  # noqa: F811
    url = report_url(world.campaign)
    bs = load_preset("imt-bs")
    for user in (
        staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution),
        world.files[0].candidate,
    ):
        assert as_(user).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    lead = staff_member(Role.PEDAGOGICAL_LEAD, programme=world.energy)
    client = as_(lead)
    assert client.get(url).json()["funnel"][0]["files"] == 1
    assert client.get(url, {"programme": world.cyber.pk}).status_code == 404
    assert client.get(url, {"programme": "x"}).status_code == 404
    assert client.get("/api/v1/staff/reports/999999").status_code == 404
    # A token tied to the other school does not reach this one's campaign.
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    StaffRole.objects.create(
        user=officer, role=Role.ADMISSIONS_OFFICER, institution=world.campaign.institution
    )
    cache.clear()  # the code may have been spent by another test at the same frozen time
    TOTP.activate(officer, SECRET)
    _token, text = create_token(
        officer, name="bs only", institution=bs.institution, otp_code=totp_now(SECRET)
    )
    assert Client(HTTP_AUTHORIZATION=f"Bearer {text}").get(url).status_code == 404
    assert as_(officer).get(url).status_code == 200


@pytest.fixture
def lead(bs: Campaign) -> User:
    return staff_member(Role.PEDAGOGICAL_LEAD, institution=bs.institution)


def test_bulk_assignment_gives_every_file_or_none(bs: Campaign, lead: User) -> None:
    files = [sent(bs) for _ in range(3)]
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    client = as_(officer)
    url = "/api/v1/staff/bulk/reviewer"
    body = {"references": [f.reference for f in files[:2]], "reviewer_id": lead.pk}
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert sorted(answer.json()["assigned"]) == sorted(body["references"])
    assert answer.json()["unchanged"] == []
    assert set(Assignment.objects.values_list("reviewer_id", flat=True)) == {lead.pk}
    again = {"references": [f.reference for f in files], "reviewer_id": lead.pk}
    second = client.post(url, again, content_type="application/json").json()
    assert second["assigned"] == [files[2].reference]
    assert sorted(second["unchanged"]) == sorted(body["references"])
    # Validation: no file, too many, a reviewer not in the list.
    for wrong in (
        {"references": [], "reviewer_id": lead.pk},
        {"references": ["X"] * 201, "reviewer_id": lead.pk},
        {"references": [files[0].reference], "reviewer_id": officer.pk},
        {"references": [files[0].reference]},
    ):
        refused = client.post(url, wrong, content_type="application/json")
        assert refused.status_code == 422, wrong
        assert refused.json()["code"] == "validation_failed"


def test_bulk_actions_answer_404_outside_the_scope(
    bs: Campaign, nord: Campaign, lead: User
) -> None:
    mine = sent(bs)
    theirs = sent(nord)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    forged = [mine.reference, theirs.reference]
    for url, body in (
        ("/api/v1/staff/bulk/reviewer", {"references": forged, "reviewer_id": lead.pk}),
        ("/api/v1/staff/bulk/messages", {"references": forged, "body": "Hello"}),
        ("/api/v1/staff/bulk/messages", {"references": ["NE-2024-999999"], "body": "Hi"}),
    ):
        answer = as_(officer).post(url, body, content_type="application/json")
        assert answer.status_code == 404, (url, body)
        assert answer.json()["code"] == "not_found"
        for outsider in (
            mine.candidate,
            staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution),
        ):
            assert as_(outsider).post(url, body, content_type="application/json").status_code == 404
        assert Client().post(url, body, content_type="application/json").status_code == 401
    # An interviewer reads the list but gives no file out.
    interviewer = staff_member(Role.INTERVIEWER, institution=bs.institution)
    answer = as_(interviewer).post(
        "/api/v1/staff/bulk/reviewer",
        {"references": [mine.reference], "reviewer_id": lead.pk},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert not Assignment.objects.exists()
    assert not Message.objects.exists()


def test_bulk_message_reaches_each_candidate_once_per_key(bs: Campaign) -> None:
    files = [sent(bs) for _ in range(2)]
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    client = as_(officer)
    url = "/api/v1/staff/bulk/messages"
    body = {"references": [f.reference for f in files], "body": "Your interview dates are out."}
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 200, first.content
    assert sorted(first.json()["sent"]) == sorted(f.reference for f in files)
    assert first.json()["refused"] == []
    replay = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert replay["Idempotent-Replayed"] == "true"
    assert Message.objects.count() == 2
    empty = client.post(url, body | {"body": "   "}, content_type="application/json")
    assert empty.status_code == 422
    assert empty.json()["message"] == "Write the message first."
    long = client.post(url, body | {"body": "x" * 5001}, content_type="application/json")
    assert long.status_code == 422
    assert Message.objects.count() == 2


def test_a_candidate_of_the_file_is_no_staff(candidate: User, bs: Campaign) -> None:
    application = sent(bs)
    other = eligible_candidate()
    for user in (application.candidate, other):
        answer = as_(user).post(
            "/api/v1/staff/bulk/messages",
            {"references": [application.reference], "body": "Hi"},
            content_type="application/json",
        )
        assert answer.status_code == 404
