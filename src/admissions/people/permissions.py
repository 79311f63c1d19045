"""Who may see what: staff see only the institutions and programmes they are assigned to."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import router
from django.db.models import Q, QuerySet

from admissions.catalog.models import Programme
from admissions.core.prepared import Statement
from admissions.people.models import Role, StaffRole, User

# Where `staff_grants` keeps what it read, on the user object itself.
GRANTS_READ = "admissions_staff_grants"
# (role, institution id, programme id): what one StaffRole row grants.
Grant = tuple[str, int | None, int | None]


def staff_grants(user: User) -> frozenset[Grant]:
    """The roles `user` holds, with where, read once per user object.

    A request loads its user afresh, so every permission check of one request shares one
    query, and the next request reads the roles again. The scope filters are built from
    these rows as lists of ids: a subquery on the roles nested in every list's query made
    the ORM's work per query several times that of the query itself.
    """
    if not user.is_authenticated or not user.holds_staff_role:
        # Candidates: the flag kept with the roles (people/roles_flag.py) spares a query.
        return frozenset()
    grants: frozenset[Grant] | None = getattr(user, GRANTS_READ, None)
    if grants is None:
        using = router.db_for_read(StaffRole)
        grants = frozenset(_grants_statement(using).fetchall([user.pk], using))
        setattr(user, GRANTS_READ, grants)
    return grants


# Built with this in place of the user's id, then swapped.
_USER = -7_305_118_229
_grants: dict[str, Statement] = {}


def _grants_statement(using: str) -> Statement:
    """The roles' statement, compiled once per process and database (`core.prepared`): the
    ORM's making of it was a fifth of a token-signed list's time in the worker."""
    found = _grants.get(using)
    if found is None:
        rows = StaffRole.objects.filter(user_id=_USER).values_list(
            "role", "institution_id", "programme_id"
        )
        found = _grants[using] = Statement.of(rows, [_USER], using)
    return found


def staff_roles(user: User) -> frozenset[str]:
    """The roles `user` holds anywhere (see `staff_grants`)."""
    return frozenset(role for role, _institution, _programme in staff_grants(user))


def has_platform_role(user: User) -> bool:
    return user.is_superuser or Role.PLATFORM_ADMIN in staff_roles(user)


def programme_filter(user: User, roles: Iterable[Role] | None = None) -> Q:
    """A filter on Programme rows that `user` may act on with one of `roles` (any role if None).

    Use it as `Programme.objects.filter(programme_filter(user))`, or prefix the lookups for
    related rows (see `application_filter`).
    """
    return scope_filter(*programme_scope(user, roles))


def scope_filter(every: bool, institutions: Iterable[int], programmes: Iterable[int]) -> Q:
    """The filter on Programme rows of a scope as `programme_scope` gives it."""
    if every:
        return Q()
    return Q(institution_id__in=institutions) | Q(pk__in=programmes)


def programme_scope(
    user: User, roles: Iterable[Role] | None = None
) -> tuple[bool, list[int], list[int]]:
    """What `programme_filter` filters on: whether every programme, else the ids of the
    institutions whose every programme, and of the single programmes, in order."""
    if not user.is_authenticated or not user.is_active:
        return False, [], []
    if has_platform_role(user):
        return True, [], []
    wanted = None if roles is None else {str(role) for role in roles}
    whole_institutions: set[int] = set()
    single_programmes: set[int] = set()
    for role, institution_id, programme_id in staff_grants(user):
        if wanted is not None and role not in wanted:
            continue
        if programme_id is not None:
            single_programmes.add(programme_id)
        elif institution_id is not None:
            whole_institutions.add(institution_id)
    return False, sorted(whole_institutions), sorted(single_programmes)


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
