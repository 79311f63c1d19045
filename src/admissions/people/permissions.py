"""Who may see what: staff see only the institutions and programmes they are assigned to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from admissions.catalog.models import Programme
from admissions.people.models import Role, StaffRole, User

# Where `staff_roles` keeps what it read, on the user object itself.
ROLES_READ = "admissions_staff_roles"


def staff_roles(user: User) -> frozenset[str]:
    """The roles `user` holds anywhere, read once per user object.

    A request loads its user afresh, so every permission check of one request shares one
    query, and the next request reads the roles again.
    """
    if not user.is_authenticated or not user.holds_staff_role:
        # Candidates: the flag kept with the roles (people/roles_flag.py) spares a query.
        return frozenset()
    roles: frozenset[str] | None = getattr(user, ROLES_READ, None)
    if roles is None:
        roles = frozenset(StaffRole.objects.filter(user=user).values_list("role", flat=True))
        setattr(user, ROLES_READ, roles)
    return roles


def has_platform_role(user: User) -> bool:
    return user.is_superuser or Role.PLATFORM_ADMIN in staff_roles(user)


def programme_filter(user: User, roles: Iterable[Role] | None = None) -> Q:
    """A filter on Programme rows that `user` may act on with one of `roles` (any role if None).

    Use it as `Programme.objects.filter(programme_filter(user))`, or prefix the lookups for
    related rows (see `application_filter`).
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if has_platform_role(user):
        return Q()
    staff_roles = StaffRole.objects.filter(user=user)
    if roles is not None:
        staff_roles = staff_roles.filter(role__in=list(roles))
    whole_institutions = staff_roles.filter(programme__isnull=True).values("institution_id")
    single_programmes = staff_roles.filter(programme__isnull=False).values("programme_id")
    return Q(institution_id__in=whole_institutions) | Q(pk__in=single_programmes)


def allowed_programme_ids(
    user: User, roles: Iterable[Role] | None = None
) -> QuerySet[Programme, Any]:
    return Programme.objects.filter(programme_filter(user, roles)).values("pk")


# Where `can_act_on_programme` keeps its answers, on the user object as `staff_roles` does.
ANSWERS_READ = "admissions_programme_answers"


def can_act_on_programme(
    user: User, programme_id: int, roles: Iterable[Role] | None = None
) -> bool:
    """Whether `user` holds one of `roles` (any role if None) on the programme.

    Asked once per user object for a programme and roles: a page that asks it for each of
    its items makes one query. Someone without any staff role needs none.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if not user.is_superuser and not staff_roles(user):
        return False
    key = (programme_id, None if roles is None else frozenset(roles))
    answers: dict[tuple[int, frozenset[Role] | None], bool] | None = getattr(
        user, ANSWERS_READ, None
    )
    if answers is None:
        answers = {}
        setattr(user, ANSWERS_READ, answers)
    if key not in answers:
        answers[key] = allowed_programme_ids(user, roles).filter(pk=programme_id).exists()
    return answers[key]


def is_staff_member(user: User) -> bool:
    return bool(user.is_authenticated) and (user.is_superuser or bool(staff_roles(user)))


def administered_institution_ids(user: User) -> QuerySet[StaffRole, Any]:
    """The institutions `user` administers (all of them for a platform administrator)."""
    return StaffRole.objects.filter(user=user, role=Role.INSTITUTION_ADMIN).values("institution_id")


def administers(user: User, institution_id: int) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if has_platform_role(user):
        return True
    return administered_institution_ids(user).filter(institution_id=institution_id).exists()
