"""Who may do what with a jury session, on the institution and programmes assigned to them."""

from __future__ import annotations

from django.db.models import Q
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
