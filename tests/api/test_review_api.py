"""The review moves beside the whole file through the API: a document asked for, the file
given to a reviewer, interview slots published; the pages' services, scope and refusals."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign
from admissions.documents.models import Document
from admissions.documents.review import askable
from admissions.people.models import Role, User
from admissions.review.models import Assignment, InterviewSlot
from tests.factories import eligible_candidate, programme_of, staff_member
from tests.review.conftest import SubmittedFile, officer_of
from tests.review.conftest import submitted as submitted  # the fixture, shared

JSON = "application/json"


def as_(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_document_asked_for_sends_the_file_back(
    nord: Campaign, bs: Campaign, submitted: SubmittedFile
) -> None:
    application = submitted(nord)
    held = set(
        Document.objects.filter(application=application).values_list("requirement_code", flat=True)
    )
    codes = [code for code, _label in askable(application) if code not in held]
    assert codes
    client = as_(officer_of(nord))
    url = f"/api/v1/staff/files/{application.reference}/documents/{codes[0]}/ask"
    no_reason = client.post(url, {"reason": ""}, JSON)
    assert no_reason.status_code == 422
    unknown = client.post(
        f"/api/v1/staff/files/{application.reference}/documents/nothing/ask",
        {"reason": "Needed"},
        JSON,
    )
    assert unknown.status_code == 422
    assert unknown.json()["details"][0]["field"] == "code"
    asked = client.post(url, {"reason": "Needed"}, JSON, HTTP_IDEMPOTENCY_KEY="ask-1")
    assert asked.status_code == 200, asked.content
    assert asked.json()["status"] == Status.INCOMPLETE
    again = client.post(url, {"reason": "Needed"}, JSON, HTTP_IDEMPOTENCY_KEY="ask-1")
    assert again["Idempotent-Replayed"] == "true"
    stranger = as_(officer_of(bs))
    assert stranger.post(url, {"reason": "Needed"}, JSON).status_code == 404
    candidate = as_(application.candidate)
    assert candidate.post(url, {"reason": "Needed"}, JSON).status_code == 404


def test_a_file_given_to_a_reviewer(nord: Campaign, bs: Campaign, submitted: SubmittedFile) -> None:
    application = submitted(nord)
    lead = staff_member(Role.PEDAGOGICAL_LEAD, institution=nord.institution)
    url = f"/api/v1/staff/files/{application.reference}/reviewer"
    client = as_(officer_of(nord), "fr")
    not_a_reviewer = client.put(url, {"reviewer_id": eligible_candidate().pk}, JSON)
    assert not_a_reviewer.status_code == 422
    assert not_a_reviewer.json()["details"][0]["field"] == "reviewer_id"
    assert not_a_reviewer.json()["message"] == "Choisissez l’évaluateur dans la liste."
    given = client.put(url, {"reviewer_id": lead.pk}, JSON)
    assert given.status_code == 200
    assert Assignment.objects.get(application=application).reviewer == lead
    outsider = as_(officer_of(bs))
    assert outsider.put(url, {"reviewer_id": lead.pk}, JSON).status_code == 404
    interviewer = as_(staff_member(Role.INTERVIEWER, institution=nord.institution))
    assert interviewer.put(url, {"reviewer_id": lead.pk}, JSON).status_code == 404


def test_interview_slots_published_and_listed(nord: Campaign, bs: Campaign, client: Client) -> None:
    programme = programme_of(nord)
    interviewer = staff_member(Role.INTERVIEWER, programme=programme)
    url = f"/api/v1/staff/interviews/{programme.pk}/slots"
    office = as_(officer_of(nord))
    starts = (dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0)
    body = {"starts_at": starts.isoformat(), "interviewer_id": interviewer.pk}
    published = office.post(url, body, JSON)
    assert published.status_code == 201, published.content
    assert published.json()["interviewer_id"] == interviewer.pk
    assert published.json()["booked_by"] is None
    past = office.post(
        url, {**body, "starts_at": (starts - dt.timedelta(days=10)).isoformat()}, JSON
    )
    assert past.status_code == 422
    bad_link = office.post(url, {**body, "video_link": "javascript:alert(1)"}, JSON)
    assert bad_link.status_code == 422
    assert bad_link.json()["details"][0]["field"] == "video_link"
    not_an_interviewer = office.post(url, {**body, "interviewer_id": officer_of(nord).pk}, JSON)
    assert not_an_interviewer.status_code == 422
    listed = office.get(url).json()
    assert [s["id"] for s in listed] == [published.json()["id"]]
    assert as_(officer_of(bs)).get(url).status_code == 404
    assert as_(interviewer).post(url, body, JSON).status_code == 404
    assert client.get(url).status_code == 401
    assert InterviewSlot.objects.count() == 1
