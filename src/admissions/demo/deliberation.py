"""A demonstration file decided by a jury as a real one is: placed on a session's agenda,
decided by a member, validated by the president, published (which emails the candidate and
charges what confirming costs). The seats of the demonstration's jury sessions."""

from __future__ import annotations

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, JurySession
from admissions.demo.accounts import demo_user, staff_email
from admissions.jury import agenda, decisions, publication, sessions
from admissions.jury.models import Seat, SessionMember
from admissions.people.models import Role, StaffRole, User

SECOND_JUROR = "juror2"


def staff(campaign: Campaign, prefix: str) -> User:
    return User.objects.get(email=staff_email(prefix, campaign.institution))


def second_juror(campaign: Campaign) -> User:
    user = demo_user(
        staff_email(SECOND_JUROR, campaign.institution),
        given=str(Role.JURY_MEMBER.label),
        family=f"{campaign.institution.short_name} 2",
    )
    StaffRole.objects.get_or_create(
        user=user, role=Role.JURY_MEMBER, institution=campaign.institution
    )
    return user


def seat_panel(session: JurySession) -> tuple[User, User]:
    """The president and two members (the presets' quorum is 3); returns (president, juror)."""
    campaign = session.campaign
    officer = staff(campaign, "officer")
    president, juror = staff(campaign, "president"), staff(campaign, "juror")
    seats = [
        (president, Seat.PRESIDENT),
        (juror, Seat.MEMBER),
        (second_juror(campaign), Seat.MEMBER),
    ]
    for user, seat in seats:
        if not SessionMember.objects.filter(session=session, user=user).exists():
            sessions.add_member(session, user=user, seat=seat, by=officer)
    return president, juror


def decide_and_publish(application: Application, *, outcome: str) -> None:
    """Through the campaign's first open session: placed by the office, entered by a member,
    validated by the president, published at once."""
    campaign = application.campaign
    session = agenda.open_sessions(campaign.pk)[0]
    president, juror = seat_panel(session)
    application.refresh_from_db()
    agenda.place_explicitly(application, session, by=staff(campaign, "officer"))
    application.refresh_from_db()
    decisions.enter_decision(application, by=juror, outcome=outcome, via="demonstration")
    decisions.validate_decisions(session, by=president)
    publication.schedule_publication(session, by=president)
