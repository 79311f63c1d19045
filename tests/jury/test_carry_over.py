"""Files a published session left undecided go to the next session; without one they wait,
flagged for the office, until a session is set."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.queries import history
from admissions.catalog.models import Campaign, JurySession
from admissions.core.errors import ValidationFailed
from admissions.jury import agenda, decisions, publication, sessions
from admissions.jury.decisions import SessionClosedError
from admissions.jury.models import AgendaItem, Decision, Seat
from admissions.people.models import Role, User
from admissions.rules.deadlines import PARIS
from tests.factories import load_preset
from tests.jury.conftest import OnAgenda, juror
from tests.review.conftest import SubmittedFile, admissible, complete, officer_of


def _sessions_page(user: User) -> str:
    client = Client()
    client.force_login(user)
    with translation.override("en"):
        response = client.get(reverse("office:jury_sessions"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_publication_moves_the_files_left_undecided_to_the_next_session(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    decided, reached_not_validated, not_reached = on_agenda(), on_agenda(), on_agenda()
    decisions.enter_decision(decided, by=panel["a"], outcome="admitted")
    decisions.validate_decisions(march, by=panel["president"])
    # Entered after the validation: it is not validated when the session publishes.
    decisions.enter_decision(
        reached_not_validated, by=panel["b"], outcome="not_admitted", reason="Projet flou"
    )
    publication.schedule_publication(march, by=panel["president"])

    april = JurySession.objects.get(campaign=march.campaign, slug="jury-2024-04")
    assert Application.objects.get(pk=decided.pk).status == Status.ADMITTED
    assert AgendaItem.objects.get(application=decided).session == march
    for application, why in (
        (reached_not_validated, "not_validated"),
        (not_reached, "not_decided"),
    ):
        assert Application.objects.get(pk=application.pk).status == Status.ON_AGENDA
        assert AgendaItem.objects.get(application=application).session == april
        moved = ApplicationEvent.objects.get(
            application=application, action="application.carry_over"
        )
        assert moved.from_status == moved.to_status == Status.ON_AGENDA
        assert moved.details["from_session"] == "jury-2024-03"
        assert moved.details["session"] == "jury-2024-04"
        assert moved.details["why"] == why
    # The decision not validated is dropped: April's jury deliberates afresh.
    assert not Decision.objects.filter(application=reached_not_validated).exists()
    dropped = ApplicationEvent.objects.get(
        application=reached_not_validated, action="application.carry_over"
    ).details["dropped_decision"]
    assert dropped == {"outcome": "not_admitted", "entered_by": panel["b"].pk}
    # The candidate reads the move in their history.
    with translation.override("en"):
        lines = [line.text for line in history(Application.objects.get(pk=not_reached.pk))]
    assert "File moved to the next session of the admission jury" in lines
    # March decides nothing more.
    assert agenda.place_ready_files() == []


def test_a_published_session_takes_no_decision_and_no_file(
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
    officer: User,
    submitted: SubmittedFile,
) -> None:
    decided = on_agenda()
    decisions.enter_decision(decided, by=panel["a"], outcome="admitted")
    decisions.validate_decisions(march, by=panel["president"])
    publication.schedule_publication(march, by=panel["president"])
    # Its files all moved on; a file placed by hand cannot go on it either.
    ready = admissible(complete(submitted(march.campaign)))
    with pytest.raises(ValidationFailed):
        agenda.place_explicitly(ready, march, by=officer)


def _seat(session: JurySession, officer: User) -> dict[str, User]:
    campaign = session.campaign
    people = {
        "president": juror(campaign, Role.JURY_PRESIDENT),
        "a": juror(campaign),
        "b": juror(campaign),
    }
    sessions.add_member(session, user=people["president"], seat=Seat.PRESIDENT, by=officer)
    for key in ("a", "b"):
        sessions.add_member(session, user=people[key], seat=Seat.MEMBER, by=officer)
    return people


def _interviewed(submitted: SubmittedFile, campaign: Campaign, officer: User) -> Application:
    application = admissible(complete(submitted(campaign)))
    transition(application, action="schedule_interview", by=officer)
    return transition(application, action="record_interview", by=officer)


def test_without_a_next_session_the_file_waits_flagged_until_one_is_set(
    db: None, clock: time_machine.Coordinates, submitted: SubmittedFile
) -> None:
    bs = load_preset("imt-bs")
    officer = officer_of(bs)
    first = sessions.create_session(
        bs, by=officer, date=dt.date(2024, 3, 1), files_cutoff=dt.date(2024, 2, 25)
    )
    people = _seat(first, officer)
    decided = _interviewed(submitted, bs, officer)
    left = _interviewed(submitted, bs, officer)
    assert sorted(agenda.place_ready_files()) == sorted([decided.reference, left.reference])
    decisions.enter_decision(
        Application.objects.get(pk=decided.pk), by=people["a"], outcome="admitted"
    )
    decisions.validate_decisions(first, by=people["president"])
    publication.schedule_publication(first, by=people["president"])

    # No session after it: the file stays, says why, and the office sees it.
    assert Application.objects.get(pk=left.pk).status == Status.ON_AGENDA
    assert AgendaItem.objects.get(application=left).session == first
    waits = ApplicationEvent.objects.get(application=left, action="jury.waiting_for_session")
    assert waits.details["from_session"] == first.slug
    assert waits.details["why"] == "not_decided"
    page = _sessions_page(officer)
    assert "1 file ready for the jury waits for a session" in page
    assert left.reference in page
    assert decided.reference not in page
    # Its published session decides nothing more about it.
    with pytest.raises(SessionClosedError):
        decisions.enter_decision(
            Application.objects.get(pk=left.pk), by=people["b"], outcome="admitted"
        )
    # Running the job again records nothing more.
    assert agenda.place_ready_files() == []
    assert ApplicationEvent.objects.filter(application=left, action=agenda.WAITING).count() == 1

    # The office sets the next session: the job moves the file there.
    second = sessions.create_session(
        bs, by=officer, date=dt.date(2024, 4, 1), files_cutoff=dt.date(2024, 3, 25)
    )
    assert agenda.place_ready_files() == [left.reference]
    assert AgendaItem.objects.get(application=left).session == second
    moved = ApplicationEvent.objects.get(application=left, action="application.carry_over")
    assert moved.details["from_session"] == first.slug
    assert moved.details["session"] == second.slug
    assert moved.details["why"] == "not_decided"
    assert moved.details["waited_since"] == waits.at.isoformat()
    assert "waits for a session" not in _sessions_page(officer)


def test_a_file_ready_after_the_last_cutoff_waits_flagged(
    nord: Campaign, submitted: SubmittedFile, clock: time_machine.Coordinates, officer: User
) -> None:
    in_time, late = complete(submitted(nord)), complete(submitted(nord))
    admissible(in_time)
    # Ready on 8 June, Paris time: after the June session's cut-off, the last one.
    clock.move_to(dt.datetime(2024, 6, 8, 9, 0, tzinfo=PARIS))
    admissible(late)
    assert agenda.place_ready_files() == [in_time.reference]
    assert not AgendaItem.objects.filter(application=late).exists()
    page = _sessions_page(officer)
    assert "Ready after the last session&#x27;s cut-off" in page or (
        "Ready after the last session's cut-off" in page
    )
    assert late.reference in page
    assert in_time.reference not in page.split("waits for a session")[-1].split("</div>")[0]


def test_a_rolling_jury_without_any_session_flags_its_ready_files(
    db: None, clock: time_machine.Coordinates, submitted: SubmittedFile
) -> None:
    bs = load_preset("imt-bs")
    officer = officer_of(bs)
    ready = _interviewed(submitted, bs, officer)
    assert agenda.place_ready_files() == []
    page = _sessions_page(officer)
    assert ready.reference in page
    assert "Set the next session below" in page
    # A jury member who organises nothing sees no flag.
    member = juror(bs)
    assert ready.reference not in _sessions_page(member)
