"""The staff's endpoints: the list with the page's filters and cursors, the whole file, the
review moves, each within the caller's scope (404 outside), through the pages' services."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from django.utils import translation
from ninja.responses import NinjaJSONEncoder

from admissions.api import staff as staff_api
from admissions.api import staff_queue
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.staff_files import exported_files
from admissions.catalog.models import Campaign
from admissions.people.models import Role, StaffRole, User
from admissions.people.token_service import create_token
from admissions.review import interviews
from admissions.review.models import StaffNote
from admissions.workflow.submission import submit
from tests.api.test_tokens import SECRET, totp_now
from tests.factories import eligible_candidate, programme_of, ready_application, staff_member
from tests.review.conftest import admissible, complete, documents_of, officer_of


def sent(campaign: Campaign) -> Application:
    candidate = eligible_candidate()
    choices = (
        {"track": "work_study", "financing_mode": "opco"}
        if campaign.institution.slug == "imt-bs"
        else {}
    )
    application = ready_application(candidate, campaign, programme_of(campaign), **choices)
    return submit(application, by=candidate)


@pytest.fixture
def officer(bs: Campaign) -> User:
    return staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)


def as_(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_list_pages_by_cursor_and_filters_as_the_page(
    bs: Campaign, officer: User, clock: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = []
    for _ in range(3):
        files.append(sent(bs))
        clock.shift(dt.timedelta(minutes=5))
    monkeypatch.setattr(staff_queue, "PAGE_SIZE", 2)
    client = as_(officer)
    first = client.get("/api/v1/staff/files").json()
    assert [row["reference"] for row in first["items"]] == [
        files[2].reference,
        files[1].reference,
    ]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [row["reference"] for row in second["items"]] == [files[0].reference]
    assert second["next"] is None
    back = client.get(second["previous"]).json()
    assert back["items"] == first["items"]
    found = client.get("/api/v1/staff/files", {"q": files[1].reference}).json()
    assert [row["reference"] for row in found["items"]] == [files[1].reference]
    none = client.get("/api/v1/staff/files", {"status": "complete"}).json()
    assert none["items"] == []
    assert "status=complete" in none["first"]


def test_staff_of_another_school_and_candidates_see_nothing(
    bs: Campaign, nord: Campaign, officer: User
) -> None:
    application = sent(bs)
    stranger = as_(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    assert stranger.get("/api/v1/staff/files").json()["items"] == []
    assert stranger.get(f"/api/v1/staff/files/{application.reference}").status_code == 404
    refused = stranger.post(f"/api/v1/staff/files/{application.reference}/complete")
    assert refused.status_code == 404
    candidate = as_(application.candidate)
    assert candidate.get("/api/v1/staff/files").status_code == 404
    assert candidate.get(f"/api/v1/staff/files/{application.reference}").status_code == 404


def test_the_whole_file_as_the_page_shows_it(bs: Campaign, officer: User) -> None:
    application = sent(bs)
    body = as_(officer).get(f"/api/v1/staff/files/{application.reference}").json()
    assert body["reference"] == application.reference
    assert body["status"] == "submitted"
    assert body["cover_letter"] == application.cover_letter
    assert "application.submit" in {h["action"] for h in body["history"]}
    assert {row["code"] for row in body["documents"]} >= {
        d.requirement_code for d in documents_of(application)
    }
    assert body["candidate"]["email"] == application.candidate.email


def test_documents_then_completeness_then_the_opinion(bs: Campaign, officer: User) -> None:
    application = sent(bs)
    client = as_(officer)
    url = f"/api/v1/staff/files/{application.reference}"
    first = documents_of(application)[0]
    missing_reason = client.post(
        f"{url}/documents/{first.requirement_code}",
        {"decision": "reject"},
        content_type="application/json",
    )
    assert missing_reason.status_code == 422
    for document in documents_of(application):
        answer = client.post(
            f"{url}/documents/{document.requirement_code}",
            {"decision": "accept"},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
    application.refresh_from_db()
    assert application.status == Status.COMPLETE
    # The officer may not give the opinion: the service refuses, as on the page.
    grid = {"scores": {c.code: {"score": 12} for c in bs.rules.review.criteria}}
    refused = client.post(
        f"{url}/admissibility", {**grid, "outcome": "positive"}, content_type="application/json"
    )
    assert refused.status_code == 403
    lead = as_(staff_member(Role.PEDAGOGICAL_LEAD, institution=bs.institution))
    done = lead.post(
        f"{url}/admissibility", {**grid, "outcome": "positive"}, content_type="application/json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "admissible"
    assert done.json()["review"]["outcome"] == "positive"


def test_invite_then_record_the_interview(bs: Campaign) -> None:
    application = admissible(complete(sent(bs)))
    officer = officer_of(bs)
    url = f"/api/v1/staff/files/{application.reference}"
    invited = as_(officer).post(f"{url}/interview/invite")
    assert invited.status_code == 200, invited.content
    assert invited.json()["interview"]["state"] == "invited"
    programme = programme_of(bs)
    interviewer = staff_member(Role.INTERVIEWER, programme=programme)
    slot = interviews.publish_slot(
        programme,
        by=officer,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=4),
        interviewer=interviewer,
    )
    candidate = as_(application.candidate)
    booked = candidate.put(
        f"/api/v1/applications/{application.reference}/interview",
        {"slot_id": slot.pk},
        content_type="application/json",
    )
    assert booked.status_code == 200, booked.content
    assert booked.json()["slot"]["id"] == slot.pk
    grid = {c.code: {"score": 15} for c in bs.rules.interview.criteria}
    no_recommendation = as_(interviewer).post(
        f"{url}/interview", {"scores": grid}, content_type="application/json"
    )
    assert no_recommendation.status_code == 422


def test_notes_through_the_api(bs: Campaign, officer: User) -> None:
    application = sent(bs)
    answer = as_(officer).post(
        f"/api/v1/staff/files/{application.reference}/notes",
        {"text": "Call the employer"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert StaffNote.objects.get().author == officer
    assert answer.json()["notes"][0]["text"] == "Call the employer"


def test_a_token_tied_to_an_institution_reaches_only_its_files(
    bs: Campaign, nord: Campaign
) -> None:
    both = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    StaffRole.objects.create(user=both, role=Role.ADMISSIONS_OFFICER, institution=nord.institution)
    in_bs, in_nord = sent(bs), sent(nord)
    cache.clear()  # the code may have been spent by another test at the same frozen time
    TOTP.activate(both, SECRET)
    _token, text = create_token(
        both, name="bs only", institution=bs.institution, otp_code=totp_now(SECRET)
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    listed = [row["reference"] for row in client.get("/api/v1/staff/files").json()["items"]]
    assert listed == [in_bs.reference]
    assert client.get(f"/api/v1/staff/files/{in_nord.reference}").status_code == 404
    assert client.get(f"/api/v1/staff/files/{in_bs.reference}").status_code == 200


def test_a_row_of_the_list_holds_what_the_file_says(bs: Campaign, officer: User) -> None:
    file = sent(bs)
    file.refresh_from_db()
    [row] = as_(officer).get("/api/v1/staff/files").json()["items"]
    # As the schema's validation of the file would write it, field by field, in English.
    with translation.override("en"):
        label = str(Status(file.status).label)
    expected = staff_api.QueueRowOut(
        reference=file.reference,
        status=file.status,
        status_label=label,
        candidate=file.candidate.get_full_name() or file.candidate.email,
        email=file.candidate.email,
        programme=file.programme.name_en,
        programme_id=file.programme_id,
        submitted_at=file.submitted_at,
        status_changed_at=file.status_changed_at,
    )
    assert row == expected.model_dump(mode="json")
    assert staff_api.QueueRowOut.model_validate(row) == expected


def test_the_list_answers_what_the_ordered_files_are_whatever_the_filters(
    bs: Campaign, nord: Campaign, clock: time_machine.Coordinates, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The list's statements are compiled once per shape of filters and scope: each shape
    # must list the files the ORM's query of the same filters orders, page after page.
    both = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    StaffRole.objects.create(user=both, role=Role.ADMISSIONS_OFFICER, institution=nord.institution)
    files = []
    for turn in range(5):
        files.append(sent(bs if turn % 2 else nord))
        clock.shift(dt.timedelta(minutes=5))
    Application.objects.filter(pk=files[1].pk).update(eu_national=False, lives_abroad=True)
    Application.objects.filter(pk=files[2].pk).update(status=Status.COMPLETE)
    monkeypatch.setattr(staff_queue, "PAGE_SIZE", 2)
    cache.clear()
    TOTP.activate(both, SECRET)
    _token, text = create_token(
        both, name="bs only", institution=bs.institution, otp_code=totp_now(SECRET)
    )
    by_session, by_token = as_(both), Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    queries = [
        {},
        {"nationality": "eu"},
        {"nationality": "non_eu", "abroad": "yes"},
        {"track": "work_study", "status": "submitted"},
        {"status": "complete", "programme": str(files[2].programme_id)},
        {"campaign": str(bs.pk), "financing": "opco"},
        {"assigned": "me"},
        {"q": files[3].reference},
    ]
    for query in queries:
        for client, institution in ((by_session, None), (by_token, bs.institution_id)):
            expected = list(
                exported_files(both, QueryDict(urlencode(query)), institution_id=institution)
                .order_by("-submitted_at", "-pk")
                .values_list("reference", flat=True)
            )
            listed: list[str] = []
            url: str | None = "/api/v1/staff/files?" + urlencode(query)
            while url:
                page = client.get(url).json()
                listed += [row["reference"] for row in page["items"]]
                url = page["next"]
            assert listed == expected, query
            if len(expected) > 2:
                last = client.get(page["last"]).json()
                assert [row["reference"] for row in last["items"]] == expected[-2:]


def test_the_list_is_written_as_its_schema_writes_it(bs: Campaign, officer: User) -> None:
    sent(bs)
    sent(bs)
    response = as_(officer).get("/api/v1/staff/files", {"track": "work_study"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    page = staff_api.QueuePageOut.model_validate_json(response.content)
    assert len(page.items) == 2
    assert response.content.decode() == json.dumps(page.model_dump(), cls=NinjaJSONEncoder)


def test_a_role_taken_away_or_an_owner_deactivated_counts_at_the_next_request(
    bs: Campaign, officer: User
) -> None:
    sent(bs)
    cache.clear()
    TOTP.activate(officer, SECRET)
    _token, text = create_token(officer, name="list", otp_code=totp_now(SECRET))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert len(client.get("/api/v1/staff/files").json()["items"]) == 1
    StaffRole.objects.filter(user=officer).delete()
    assert client.get("/api/v1/staff/files").status_code == 404
    StaffRole.objects.create(user=officer, role=Role.ADMISSIONS_OFFICER, institution=bs.institution)
    assert client.get("/api/v1/staff/files").status_code == 200
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert client.get("/api/v1/staff/files").status_code == 401
