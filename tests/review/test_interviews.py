"""Interview slots: publish, invite, book, move, cancel until the cut-off, grid, no-show."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from icalendar import Calendar

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.core.errors import IllegalTransition, NotAllowed, ValidationFailed
from admissions.people.models import Role, User
from admissions.review import interviews, signals
from admissions.review.calendar import invitation_ics
from admissions.review.interviews import CHANGE_CUTOFF
from admissions.review.models import InterviewSlot, InterviewState, Recommendation
from tests.factories import programme_of, staff_member
from tests.review.conftest import SubmittedFile, admissible, complete, full_grid, officer_of

BS_GRID = [
    "motivation-coherence",
    "projet-professionnel",
    "expression-orale",
    "maturite-professionnelle",
    "rythme-alternance",
]


def in_days(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


@pytest.fixture
def interviewer(bs: Campaign) -> User:
    return staff_member(Role.INTERVIEWER, programme=programme_of(bs))


@pytest.fixture
def invited(bs: Campaign, submitted: SubmittedFile) -> Application:
    application = admissible(complete(submitted(bs)))
    interviews.invite(application, by=officer_of(bs))
    return application


def slot(bs: Campaign, interviewer: User, days: float = 5) -> InterviewSlot:
    return interviews.publish_slot(
        programme_of(bs), by=officer_of(bs), starts_at=in_days(days), interviewer=interviewer
    )


def test_a_slot_takes_its_link_from_the_programme_template(bs: Campaign, interviewer: User) -> None:
    officer = officer_of(bs)
    interviews.set_video_link_template(
        programme_of(bs), by=officer, template="https://visio.example.org/ms-{slot}"
    )
    published = slot(bs, interviewer)
    assert published.duration_minutes == 30
    assert published.video_link == f"https://visio.example.org/ms-{published.pk}"
    assert published.ends_at - published.starts_at == dt.timedelta(minutes=30)
    # Publishing the same slot again is the same slot.
    again = interviews.publish_slot(
        programme_of(bs), by=officer, starts_at=published.starts_at, interviewer=interviewer
    )
    assert again.pk == published.pk


def test_a_slot_needs_an_interviewer_of_the_programme(bs: Campaign, nord: Campaign) -> None:
    stranger = staff_member(Role.INTERVIEWER, institution=nord.institution)
    with pytest.raises(ValidationFailed):
        slot(bs, stranger)
    with pytest.raises(ValidationFailed):
        interviews.set_video_link_template(
            programme_of(bs), by=officer_of(bs), template="http://plain.example.org"
        )


def test_the_invited_candidate_books_and_gets_an_invitation(
    bs: Campaign, invited: Application, interviewer: User
) -> None:
    chosen = slot(bs, interviewer)
    assert list(interviews.free_slots(programme_of(bs))) == [chosen]
    heard: list[dict[str, object]] = []

    def hear(**kwargs: object) -> None:
        heard.append(kwargs)

    signals.interview_booked.connect(hear, dispatch_uid="test-booked")
    try:
        interview = interviews.book(invited, slot=chosen, by=invited.candidate)
    finally:
        signals.interview_booked.disconnect(dispatch_uid="test-booked")
    invited.refresh_from_db()
    assert invited.status == Status.INTERVIEW_SCHEDULED
    assert interview.state == InterviewState.BOOKED
    assert heard[0]["slot_id"] == chosen.pk
    assert list(interviews.free_slots(programme_of(bs))) == []
    # Booking the same slot again changes nothing.
    interviews.book(invited, slot=chosen, by=invited.candidate)
    assert (
        ApplicationEvent.objects.filter(
            application=invited, action="application.schedule_interview"
        ).count()
        == 1
    )
    event = Calendar.from_ical(invitation_ics(interview)).walk("VEVENT")[0]
    assert event.decoded("dtstart") == chosen.starts_at.astimezone(dt.UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=30)
    assert str(event["uid"]).startswith(f"interview-{invited.reference}@")
    assert str(event["attendee"]) == f"mailto:{invited.candidate.email}"


def test_one_candidate_per_slot(
    bs: Campaign, submitted: SubmittedFile, invited: Application, interviewer: User
) -> None:
    other = admissible(complete(submitted(bs)))
    interviews.invite(other, by=officer_of(bs))
    chosen = slot(bs, interviewer)
    interviews.book(invited, slot=chosen, by=invited.candidate)
    with pytest.raises(IllegalTransition) as refused:
        interviews.book(other, slot=chosen, by=other.candidate)
    assert refused.value.code == "slot_taken"
    other.refresh_from_db()
    assert other.status == Status.ADMISSIBLE


def test_moving_and_cancelling_until_the_cut_off(
    bs: Campaign, invited: Application, interviewer: User
) -> None:
    first, second, third = (
        slot(bs, interviewer, 5),
        slot(bs, interviewer, 6),
        slot(bs, interviewer, 7),
    )
    candidate = invited.candidate
    interviews.book(invited, slot=first, by=candidate)
    interviews.book(invited, slot=second, by=candidate)
    moved = ApplicationEvent.objects.filter(
        application=invited, action="application.schedule_interview"
    ).last()
    assert moved is not None
    assert (moved.from_status, moved.to_status) == ("interview_scheduled", "interview_scheduled")
    assert moved.details["previous_slot"] == first.pk
    assert interviews.free_slots(programme_of(bs)).filter(pk=first.pk).exists()
    interview = interviews.cancel(invited, by=candidate)
    invited.refresh_from_db()
    assert (invited.status, interview.state) == (Status.ADMISSIBLE, InterviewState.INVITED)
    interviews.book(invited, slot=third, by=candidate)
    later = slot(bs, interviewer, 10)
    # Within the cut-off the candidate can neither move nor cancel; the office still can.
    with time_machine.travel(third.starts_at - CHANGE_CUTOFF + dt.timedelta(minutes=1)):
        with pytest.raises(ValidationFailed):
            interviews.cancel(invited, by=candidate)
        with pytest.raises(ValidationFailed):
            interviews.book(invited, slot=later, by=candidate)
        interviews.book(invited, slot=later, by=officer_of(bs))
    invited.refresh_from_db()
    assert invited.interview.slot_id == later.pk


def test_a_slot_inside_the_cut_off_is_not_offered(
    bs: Campaign, invited: Application, interviewer: User
) -> None:
    soon = slot(bs, interviewer, 0.5)
    assert list(interviews.free_slots(programme_of(bs))) == []
    with pytest.raises(ValidationFailed):
        interviews.book(invited, slot=soon, by=invited.candidate)


def test_only_invited_files_book(bs: Campaign, submitted: SubmittedFile, interviewer: User) -> None:
    application = admissible(complete(submitted(bs)))
    with pytest.raises(NotAllowed):
        interviews.book(application, slot=slot(bs, interviewer), by=application.candidate)
    not_yet = submitted(bs)
    with pytest.raises(IllegalTransition):
        interviews.invite(not_yet, by=officer_of(bs))


def test_another_candidate_cannot_book_for_a_file(
    bs: Campaign, submitted: SubmittedFile, invited: Application, interviewer: User
) -> None:
    other = submitted(bs)
    with pytest.raises(NotAllowed):
        interviews.book(invited, slot=slot(bs, interviewer), by=other.candidate)


def test_the_interviewer_fills_the_grid_after_the_start(
    bs: Campaign, invited: Application, interviewer: User
) -> None:
    chosen = slot(bs, interviewer)
    interviews.book(invited, slot=chosen, by=invited.candidate)
    with pytest.raises(IllegalTransition):
        interviews.record_interview(
            invited,
            by=interviewer,
            scores=full_grid(BS_GRID),
            recommendation=Recommendation.FAVOURABLE,
        )
    with time_machine.travel(chosen.starts_at + dt.timedelta(minutes=40)):
        with pytest.raises(ValidationFailed):
            interviews.record_interview(
                invited,
                by=interviewer,
                scores=full_grid(BS_GRID[:4]),
                recommendation=Recommendation.FAVOURABLE,
            )
        interview = interviews.record_interview(
            invited,
            by=interviewer,
            scores=full_grid(BS_GRID, 16),
            recommendation=Recommendation.FAVOURABLE,
            comment="motivated",
        )
    invited.refresh_from_db()
    assert invited.status == Status.INTERVIEWED
    assert list(interview.scores) == BS_GRID
    event = ApplicationEvent.objects.get(application=invited, action="application.record_interview")
    assert (event.actor, event.details["recommendation"]) == (interviewer, "favourable")


def test_a_no_show_is_recorded_and_the_file_is_not_interviewed(
    bs: Campaign, invited: Application, interviewer: User
) -> None:
    chosen = slot(bs, interviewer)
    interviews.book(invited, slot=chosen, by=invited.candidate)
    with time_machine.travel(chosen.starts_at + dt.timedelta(minutes=40)):
        interview = interviews.record_no_show(invited, by=interviewer)
        interviews.record_no_show(invited, by=interviewer)
        with pytest.raises(IllegalTransition):
            interviews.record_interview(
                invited,
                by=interviewer,
                scores=full_grid(BS_GRID),
                recommendation=Recommendation.FAVOURABLE,
            )
    assert interview.state == InterviewState.NO_SHOW
    assert interview.no_shows == 1
    invited.refresh_from_db()
    # Nothing was held: the file is admissible again, never "interviewed".
    assert invited.status == Status.ADMISSIBLE
    event = ApplicationEvent.objects.get(application=invited, action="application.record_no_show")
    assert (event.from_status, event.to_status) == (Status.INTERVIEW_SCHEDULED, Status.ADMISSIBLE)
    assert event.details["no_show"] is True
    assert event.details["slot"] == chosen.pk
    assert not ApplicationEvent.objects.filter(
        application=invited, action="application.record_interview"
    ).exists()


def test_a_candidate_absent_is_invited_again_and_books_a_new_slot(
    bs: Campaign, invited: Application, interviewer: User
) -> None:
    missed = slot(bs, interviewer)
    interviews.book(invited, slot=missed, by=invited.candidate)
    with time_machine.travel(missed.starts_at + dt.timedelta(minutes=40)):
        interviews.record_no_show(invited, by=interviewer)
        # Absent: no new booking until the office invites again.
        with pytest.raises(IllegalTransition):
            interviews.book(invited, slot=slot(bs, interviewer, days=3), by=invited.candidate)
        again = interviews.invite(invited, by=officer_of(bs))
        assert (again.state, again.slot, again.no_shows) == (InterviewState.INVITED, None, 1)
        event = ApplicationEvent.objects.filter(
            application=invited, action="interview.invited"
        ).latest("pk")
        assert event.details == {"again": True, "missed_slot": missed.pk, "no_shows": 1}
        second = slot(bs, interviewer, days=4)
        interviews.book(invited, slot=second, by=invited.candidate)
    invited.refresh_from_db()
    assert invited.status == Status.INTERVIEW_SCHEDULED
    with time_machine.travel(second.starts_at + dt.timedelta(minutes=40)):
        held = interviews.record_interview(
            invited, by=interviewer, scores=full_grid(BS_GRID), recommendation="favourable"
        )
    assert held.state == InterviewState.HELD
    invited.refresh_from_db()
    assert invited.status == Status.INTERVIEWED


def test_another_interviewer_of_another_school_cannot_grade(
    bs: Campaign, nord: Campaign, invited: Application, interviewer: User
) -> None:
    chosen = slot(bs, interviewer)
    interviews.book(invited, slot=chosen, by=invited.candidate)
    stranger = staff_member(Role.INTERVIEWER, institution=nord.institution)
    with (
        time_machine.travel(chosen.starts_at + dt.timedelta(minutes=40)),
        pytest.raises(NotAllowed),
    ):
        interviews.record_no_show(invited, by=stranger)
