"""Who may do what with a jury session, on the institution and programmes assigned to them."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.catalog.models import JurySession
from admissions.core.errors import NotAllowed
from admissions.jury.models import Seat, SessionMember
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import can_act_on_programme, has_platform_role

JURY_ROLES = (Role.JURY_MEMBER, Role.JURY_PRESIDENT)
# Set sessions up, seat their members, record conflicts, place files, publish.
ORGANISERS = (Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN)


def holds_role_at(user: User, institution_id: int, roles: tuple[Role, ...]) -> bool:
    """Whether `user` holds one of `roles` on the institution or one of its programmes."""
    if not user.is_authenticated or not user.is_active:
        return False
    if has_platform_role(user):
        return True
    return StaffRole.objects.filter(
        Q(institution_id=institution_id) | Q(programme__institution_id=institution_id),
        user=user,
        role__in=list(roles),
    ).exists()


def is_organiser(user: User, session: JurySession) -> bool:
    return holds_role_at(user, session.campaign.institution_id, ORGANISERS)


def seat_of(user: User, session: JurySession) -> SessionMember | None:
    if not user.is_authenticated:
        return None
    return SessionMember.objects.filter(session=session, user=user).first()


def require_organiser(user: User, session: JurySession) -> None:
    if not is_organiser(user, session):
        raise NotAllowed(_("Only the admissions office organises this jury session."))


def require_member(user: User, session: JurySession, application: Application) -> SessionMember:
    """The seat of a member who may decide `application` in `session`."""
    seat = seat_of(user, session)
    if seat is None:
        raise NotAllowed(_("You do not sit on this jury session."))
    if not can_act_on_programme(user, application.programme_id, JURY_ROLES):
        raise NotAllowed(_("Your jury role does not cover this programme."))
    return seat


def require_president(user: User, session: JurySession) -> SessionMember:
    seat = seat_of(user, session)
    if seat is None or seat.seat != Seat.PRESIDENT:
        raise NotAllowed(_("Only the president of this jury session may do this."))
    return seat


# Who sees jury sessions: their members, and the office that organises them.
SEE = (*JURY_ROLES, *ORGANISERS)


def visible_sessions(user: User) -> QuerySet[JurySession] | None:
    """The active sessions `user` sits on or organises; None if they see no session at all."""
    sessions = JurySession.objects.filter(is_active=True)
    if has_platform_role(user):
        return sessions
    roles = StaffRole.objects.filter(user=user, role__in=list(SEE))
    if not roles.exists() and not SessionMember.objects.filter(user=user).exists():
        return None
    return sessions.filter(
        Q(campaign__institution_id__in=roles.values_list("institution_id", flat=True))
        | Q(members__user=user)
    ).distinct()


def readable_session(user: User, pk: int) -> JurySession | None:
    """The session, if `user` sits on it or organises its institution's juries."""
    session = (
        JurySession.objects.select_related("campaign__institution")
        .filter(pk=pk, is_active=True)
        .first()
    )
    if session is None or (seat_of(user, session) is None and not is_organiser(user, session)):
        return None
    return session
