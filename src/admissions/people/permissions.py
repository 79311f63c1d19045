"""Who may see what: staff see only the institutions and programmes they are assigned to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from admissions.catalog.models import Programme
from admissions.people.models import Role, StaffRole, User


def has_platform_role(user: User) -> bool:
    return (
        user.is_superuser or StaffRole.objects.filter(user=user, role=Role.PLATFORM_ADMIN).exists()
    )


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


def can_act_on_programme(
    user: User, programme_id: int, roles: Iterable[Role] | None = None
) -> bool:
    return allowed_programme_ids(user, roles).filter(pk=programme_id).exists()


def is_staff_member(user: User) -> bool:
    return bool(user.is_authenticated) and (
        user.is_superuser or StaffRole.objects.filter(user=user).exists()
    )
