"""The jury through the API: sessions in scope, the agenda, decisions entered by members,
validated by the president (quorum, four eyes), published at once or later; the office's
moves (members, presence, conflicts, placing a file); each through the deliberation page's
services, with their codes, and 404 outside the caller's scope."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign, JurySession
from admissions.jury.models import Decision, Publication, SessionMember
from admissions.people.models import Role, User
from admissions.rules.deadlines import PARIS
from tests.factories import eligible_candidate, load_preset, staff_member
from tests.jury.conftest import OnAgenda, juror
from tests.jury.conftest import march as march  # the fixtures, shared
from tests.jury.conftest import officer as officer
from tests.jury.conftest import on_agenda as on_agenda
from tests.jury.conftest import panel as panel
from tests.jury.conftest import submitted as submitted

JSON = "application/json"


def as_(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def base(session: JurySession) -> str:
    return f"/api/v1/staff/jury/sessions/{session.pk}"


def test_the_sessions_in_scope_and_one_sessions_state(
    march: JurySession, panel: dict[str, User], officer: User, on_agenda: OnAgenda
) -> None:
    application = on_agenda()
    listed = as_(officer).get("/api/v1/staff/jury/sessions").json()
    assert march.pk in {row["id"] for row in listed}
    mine = as_(panel["a"]).get("/api/v1/staff/jury/sessions").json()
    row = next(r for r in mine if r["id"] == march.pk)
    assert row["files"] == 1
    assert row["closed"] is False
    detail = as_(panel["president"]).get(base(march)).json()
    assert detail["my_seat"] == "president"
    assert detail["can_publish"] is True
    assert detail["organiser"] is False
    assert detail["present"] == 4
    assert detail["quorum"] == march.campaign.rules.jury.quorum
    assert {m["user_id"] for m in detail["members"]} == {u.pk for u in panel.values()}
    assert application.programme_id in {p["programme_id"] for p in detail["places"]}
    agenda = as_(panel["a"]).get(f"{base(march)}/agenda").json()
    assert [i["reference"] for i in agenda["items"]] == [application.reference]
    assert agenda["next_after"] is None
    assert agenda["items"][0]["decision"] is None


def test_a_member_decides_the_president_validates_and_publishes(
    march: JurySession, panel: dict[str, User], on_agenda: OnAgenda
) -> None:
    first, second = on_agenda(), on_agenda()
    member = as_(panel["a"])
    answer = member.put(
        f"{base(march)}/files/{first.reference}/decision",
        {"outcome": "admitted"},
        JSON,
        HTTP_IDEMPOTENCY_KEY="decide-1",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["decision"]["outcome"] == "admitted"
    assert answer.json()["decision"]["validated_at"] is None
    replayed = member.put(
        f"{base(march)}/files/{first.reference}/decision",
        {"outcome": "admitted"},
        JSON,
        HTTP_IDEMPOTENCY_KEY="decide-1",
    )
    assert replayed["Idempotent-Replayed"] == "true"
    assert first.events.filter(action="jury.decision_entered").count() == 1
    waiting = member.put(
        f"{base(march)}/files/{second.reference}/decision",
        {"outcome": "waitlisted", "waitlist_rank": 1, "reason": "Bon dossier"},
        JSON,
    )
    assert waiting.json()["decision"]["waitlist_rank"] == 1
    president = as_(panel["president"])
    validated = president.post(f"{base(march)}/validate", {}, JSON)
    assert validated.json() == {"validated": 2, "left_for_another": 0}
    published = president.post(f"{base(march)}/publish", {}, JSON)
    assert published.status_code == 200
    assert published.json()["published_at"] is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.ADMITTED, Status.WAITLISTED)
    closed = member.put(
        f"{base(march)}/files/{first.reference}/decision", {"outcome": "not_admitted"}, JSON
    )
    assert closed.status_code == 409  # a published decision is irrevocable
    assert closed.json()["code"] == "decision_published"


def test_the_rules_refuse_with_their_codes_in_the_readers_language(
    march: JurySession, panel: dict[str, User], on_agenda: OnAgenda, officer: User
) -> None:
    application = on_agenda()
    url = f"{base(march)}/files/{application.reference}/decision"
    member = as_(panel["a"], "fr")
    no_reason = member.put(url, {"outcome": "not_admitted"}, JSON)
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "reason_required"
    assert "motif" in no_reason.json()["message"]
    no_rank = member.put(url, {"outcome": "waitlisted", "reason": "Bon dossier"}, JSON)
    assert no_rank.json()["code"] == "rank_required"
    unknown = member.put(url, {"outcome": "maybe"}, JSON)
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "validation_failed"
    assert unknown.json()["details"][0]["field"] == "outcome"
    not_seated = as_(officer).put(url, {"outcome": "admitted"}, JSON)
    assert not_seated.status_code == 403
    assert not_seated.json()["code"] == "not_allowed"
    # Four eyes: the president's own decision waits for another member.
    president = as_(panel["president"])
    president.put(url, {"outcome": "admitted"}, JSON)
    own = president.post(f"{base(march)}/validate", {}, JSON).json()
    assert own == {"validated": 0, "left_for_another": 1}
    assert not Decision.objects.filter(validated_at__isnull=False).exists()
    nothing = president.post(f"{base(march)}/publish", {}, JSON)
    assert nothing.status_code == 422
    assert nothing.json()["code"] == "nothing_to_publish"
    # The quorum: the office sends two members away.
    office = as_(officer)
    detail = office.get(base(march)).json()
    for seat in [m for m in detail["members"] if m["seat"] == "member"][:2]:
        gone = office.put(f"{base(march)}/members/{seat['id']}/presence", {"present": False}, JSON)
        assert gone.json()["present"] is False
    member.put(url, {"outcome": "admitted"}, JSON)
    quorum = president.post(f"{base(march)}/validate", {}, JSON)
    assert quorum.status_code == 409
    assert quorum.json()["code"] == "no_quorum"
    assert quorum.json()["details"] == {"quorum": 3, "present": 2}
    # A member cannot publish.
    refused = member.post(f"{base(march)}/publish", {}, JSON)
    assert refused.status_code == 403


def test_a_conflict_of_interest_keeps_the_member_out(
    march: JurySession, panel: dict[str, User], on_agenda: OnAgenda
) -> None:
    application = on_agenda()
    member = as_(panel["b"])
    declared = member.post(
        f"{base(march)}/files/{application.reference}/conflict",
        {"reason": "Ancien collègue"},
        JSON,
    )
    assert declared.status_code == 200
    assert declared.json()["conflicted_members"] == [panel["b"].pk]
    refused = member.put(
        f"{base(march)}/files/{application.reference}/decision", {"outcome": "admitted"}, JSON
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "conflict_of_interest"


def test_publication_at_a_time_set(
    march: JurySession,
    panel: dict[str, User],
    on_agenda: OnAgenda,
    clock: time_machine.Coordinates,
) -> None:
    application = on_agenda()
    as_(panel["a"]).put(
        f"{base(march)}/files/{application.reference}/decision", {"outcome": "admitted"}, JSON
    )
    president = as_(panel["president"])
    president.post(f"{base(march)}/validate", {}, JSON)
    later = dt.datetime.now(tz=PARIS) + dt.timedelta(days=2)  # sent without a zone: Paris
    answer = president.post(
        f"{base(march)}/publish", {"publish_at": later.strftime("%Y-%m-%dT%H:%M")}, JSON
    )
    assert answer.status_code == 200
    assert answer.json()["published_at"] is None
    kept = Publication.objects.get(session=march)
    assert kept.done_at is None
    assert kept.publish_at == later.replace(second=0, microsecond=0)
    application.refresh_from_db()
    assert application.status == Status.ON_AGENDA


def test_the_office_seats_members(march: JurySession, officer: User) -> None:
    newcomer = juror(march.campaign)
    url = f"{base(march)}/members"
    seated = as_(officer).post(url, {"user_id": newcomer.pk}, JSON)
    assert seated.status_code == 201
    assert seated.json()["seat"] == "member"
    twice = as_(officer).post(url, {"user_id": newcomer.pk}, JSON)
    assert twice.json()["code"] == "member_taken"
    not_a_juror = as_(officer).post(url, {"user_id": eligible_candidate().pk}, JSON)
    assert not_a_juror.status_code == 422
    by_a_member = as_(newcomer).post(url, {"user_id": juror(march.campaign).pk}, JSON)
    assert by_a_member.status_code == 403
    assert SessionMember.objects.filter(session=march).count() == 1


def test_outside_the_scope_nothing_is_seen(
    march: JurySession, panel: dict[str, User], on_agenda: OnAgenda, client: Client
) -> None:
    application = on_agenda()
    bs: Campaign = load_preset("imt-bs")
    strangers = [
        staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution),
        juror(bs, Role.JURY_PRESIDENT),
        application.candidate,
    ]
    for user in strangers:
        stranger = as_(user)
        assert stranger.get(base(march)).status_code == 404
        assert stranger.get(f"{base(march)}/agenda").status_code == 404
        put = stranger.put(
            f"{base(march)}/files/{application.reference}/decision", {"outcome": "admitted"}, JSON
        )
        assert put.status_code == 404
        assert stranger.post(f"{base(march)}/publish", {}, JSON).status_code == 404
    assert as_(application.candidate).get("/api/v1/staff/jury/sessions").status_code == 404
    bs_sessions = as_(strangers[0]).get("/api/v1/staff/jury/sessions").json()
    assert march.pk not in {row["id"] for row in bs_sessions}
    assert client.get("/api/v1/staff/jury/sessions").status_code == 401
    assert not Decision.objects.exists()


def test_the_office_sets_a_session_of_a_rolling_jury(nord: Campaign, officer: User) -> None:
    bs: Campaign = load_preset("imt-bs")  # its jury is rolling
    bs_officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    url = "/api/v1/staff/jury/sessions"
    body = {"campaign_id": bs.pk, "date": "2024-04-10", "files_cutoff": "2024-04-03"}
    created = as_(bs_officer).post(url, body, JSON)
    assert created.status_code == 201, created.content
    assert created.json()["files_cutoff"] == "2024-04-03"
    assert created.json()["id"] in {row["id"] for row in as_(bs_officer).get(url).json()}
    twice = as_(bs_officer).post(url, body, JSON)
    assert twice.status_code == 422
    backwards = as_(bs_officer).post(url, {**body, "files_cutoff": "2024-04-11"}, JSON)
    assert backwards.status_code == 422
    listed = as_(bs_officer).post(url, {**body, "campaign_id": nord.pk}, JSON)
    assert listed.status_code == 404  # another institution's campaign
    fixed = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    refused = as_(fixed).post(
        url, {"campaign_id": nord.pk, "date": "2024-04-10", "files_cutoff": "2024-04-03"}, JSON
    )
    assert refused.status_code == 422  # its jury sits at the sessions its rules list
