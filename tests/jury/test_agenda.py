"""Files ready for the jury go on the agenda of the first session whose cut-off they meet."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from admissions.applications.history import transition
from admissions.applications.lifecycle import MOVES, Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, JurySession
from admissions.catalog.services import load_rulebook
from admissions.core.errors import IllegalTransition, NotAllowed, ValidationFailed
from admissions.jury import agenda, sessions
from admissions.jury.models import AgendaItem
from admissions.people.models import User
from admissions.review import interviews
from admissions.rules.deadlines import PARIS
from admissions.rules.rulebook import validate_rulebook
from tests.factories import load_preset, rulebook_raw
from tests.review.conftest import (
    SubmittedFile,
    admissible,
    complete,
    officer_of,
)


def test_a_ready_file_goes_on_the_session_whose_cutoff_it_meets(
    nord: Campaign, submitted: SubmittedFile, march: JurySession
) -> None:
    application = admissible(complete(submitted(nord)))
    assert agenda.place_ready_files() == [application.reference]
    assert agenda.place_ready_files() == []  # idempotent
    item = AgendaItem.objects.get(application=application)
    assert item.session == march
    event = ApplicationEvent.objects.get(
        application=application, action="application.place_on_agenda"
    )
    assert event.actor is None
    assert event.details["session"] == "jury-2024-03"
    assert event.details["cutoff"] == "2024-03-17"
    assert event.details["missed"] == []


def test_a_file_that_misses_a_cutoff_goes_to_the_next_session(
    nord: Campaign, submitted: SubmittedFile, clock: time_machine.Coordinates
) -> None:
    application = complete(submitted(nord))
    # Ready on 18 March, Paris time: one minute after the end of the March cut-off day.
    clock.move_to(dt.datetime(2024, 3, 18, 0, 1, tzinfo=PARIS))
    admissible(application)
    agenda.place_ready_files()
    item = AgendaItem.objects.get(application=application)
    assert item.session.slug == "jury-2024-04"
    event = ApplicationEvent.objects.get(
        application=application, action="application.place_on_agenda"
    )
    assert event.details["missed"] == ["jury-2024-03"]


def test_the_last_minute_of_the_cutoff_day_is_in_time(
    nord: Campaign, submitted: SubmittedFile, clock: time_machine.Coordinates
) -> None:
    application = complete(submitted(nord))
    clock.move_to(dt.datetime(2024, 3, 17, 23, 59, tzinfo=PARIS))
    admissible(application)
    agenda.place_ready_files()
    assert AgendaItem.objects.get(application=application).session.slug == "jury-2024-03"


def test_a_file_waiting_for_its_interview_is_not_ready(
    nord: Campaign, submitted: SubmittedFile, officer: User
) -> None:
    application = admissible(complete(submitted(nord)))
    interviews.invite(application, by=officer)
    assert agenda.place_ready_files() == []


def test_an_unfavourable_opinion_goes_to_the_jury_where_it_does_not_end_the_file(
    nord: Campaign, submitted: SubmittedFile
) -> None:
    application = complete(submitted(nord))
    transition(application, action="record_not_admissible", by=None)
    assert agenda.place_ready_files() == [application.reference]


def test_files_not_ready_stay_where_they_are(nord: Campaign, submitted: SubmittedFile) -> None:
    application = submitted(nord)
    assert agenda.place_ready_files() == []
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("status", [s for s in Status if s not in MOVES["place_on_agenda"].sources])
def test_place_on_agenda_is_refused_from_every_other_status(
    nord: Campaign, submitted: SubmittedFile, status: Status
) -> None:
    application = submitted(nord)
    Application.objects.filter(pk=application.pk).update(status=status)
    with pytest.raises(IllegalTransition):
        transition(application, action="place_on_agenda", by=None)


@pytest.mark.parametrize("action", [a for a in MOVES if a.startswith("publish_")])
@pytest.mark.parametrize("status", list(Status))
def test_publish_moves_only_from_the_agenda(
    nord: Campaign, submitted: SubmittedFile, action: str, status: Status
) -> None:
    application = submitted(nord)
    Application.objects.filter(pk=application.pk).update(status=status)
    if status == Status.ON_AGENDA:
        moved = transition(application, action=action, by=None)
        assert moved.status == MOVES[action].target
    else:
        with pytest.raises(IllegalTransition):
            transition(application, action=action, by=None)


def test_the_office_places_a_ready_file_on_a_later_session_not_an_earlier_one(
    nord: Campaign, submitted: SubmittedFile, officer: User, clock: time_machine.Coordinates
) -> None:
    application = complete(submitted(nord))
    clock.move_to(dt.datetime(2024, 3, 20, 10, 0, tzinfo=PARIS))
    admissible(application)
    march = JurySession.objects.get(campaign=nord, slug="jury-2024-03")
    may = JurySession.objects.get(campaign=nord, slug="jury-2024-05")
    with pytest.raises(ValidationFailed):
        agenda.place_explicitly(application, march, by=officer)
    with pytest.raises(NotAllowed):
        agenda.place_explicitly(application, may, by=application.candidate)
    agenda.place_explicitly(application, may, by=officer)
    assert AgendaItem.objects.get(application=application).session == may


def test_a_rolling_jury_sits_at_the_sessions_its_school_sets(
    db: None, clock: time_machine.Coordinates, submitted: SubmittedFile
) -> None:
    bs = load_preset("imt-bs")
    officer = officer_of(bs)
    assert not JurySession.objects.filter(campaign=bs).exists()
    application = complete(submitted(bs))
    admissible(application)
    with pytest.raises(NotAllowed):
        sessions.create_session(
            bs,
            by=application.candidate,
            date=dt.date(2024, 3, 1),
            files_cutoff=dt.date(2024, 2, 25),
        )
    with pytest.raises(ValidationFailed):
        sessions.create_session(
            bs, by=officer, date=dt.date(2024, 3, 1), files_cutoff=dt.date(2024, 3, 2)
        )
    session = sessions.create_session(
        bs, by=officer, date=dt.date(2024, 3, 1), files_cutoff=dt.date(2024, 2, 25)
    )
    # IMT-BS interviews every file: an admissible one is not ready yet.
    assert agenda.place_ready_files() == []
    transition(application, action="schedule_interview", by=officer)
    transition(application, action="record_interview", by=officer)
    assert agenda.place_ready_files() == [application.reference]
    assert AgendaItem.objects.get(application=application).session == session
    # Loading the rulebook again leaves the school's sessions alone.
    load_rulebook(validate_rulebook(rulebook_raw("imt-bs"), source="imt-bs.toml"))
    assert JurySession.objects.get(pk=session.pk).is_active


def test_fixed_sessions_take_no_session_set_by_hand(nord: Campaign, officer: User) -> None:
    with pytest.raises(ValidationFailed):
        sessions.create_session(
            nord, by=officer, date=dt.date(2024, 3, 1), files_cutoff=dt.date(2024, 2, 25)
        )
