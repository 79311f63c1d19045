"""Which staff roles make which review moves, on the programmes they are assigned to."""

from __future__ import annotations

from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.core.errors import NotAllowed
from admissions.people.models import Role, User
from admissions.people.permissions import can_act_on_programme

COMPLETENESS = (Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN)
ADMISSIBILITY = (Role.PEDAGOGICAL_LEAD, Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN)
# Publishing slots and inviting a file: the office organises, the lead decides.
INTERVIEW_ORGANISERS = (
    Role.ADMISSIONS_OFFICER,
    Role.PEDAGOGICAL_LEAD,
    Role.INSTITUTION_ADMIN,
    Role.PLATFORM_ADMIN,
)
# Filling the grid: the slot's interviewer, or a lead of the programme.
INTERVIEW_GRADERS = (Role.INTERVIEWER, Role.PEDAGOGICAL_LEAD, Role.INSTITUTION_ADMIN)


def require(user: User, application: Application, roles: tuple[Role, ...]) -> None:
    if not can_act_on_programme(user, application.programme_id, roles):
        raise NotAllowed(_("Your role does not allow this on this programme."))


def require_on_programme(user: User, programme_id: int, roles: tuple[Role, ...]) -> None:
    if not can_act_on_programme(user, programme_id, roles):
        raise NotAllowed(_("Your role does not allow this on this programme."))


def can(user: User, application: Application, roles: tuple[Role, ...]) -> bool:
    return can_act_on_programme(user, application.programme_id, roles)
