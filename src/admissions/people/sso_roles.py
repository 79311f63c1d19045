"""The staff roles a log-in through an institution's identity provider grants, and their sync."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction

from admissions.people.identity_providers import (
    IdentityProvider,
    RoleMappingRule,
    SsoRoleChange,
)
from admissions.people.models import StaffRole, User

# A role on an institution: (role, programme id or None for every programme).
Grant = tuple[str, int | None]


def mapped_roles(
    attributes: Mapping[str, Sequence[str]], rules: Iterable[RoleMappingRule]
) -> set[Grant]:
    """The roles the rules give a person whose identity provider released `attributes`.

    A rule matches when the attribute it names holds its value among its values (exactly:
    an entitlement URN is a name, not a pattern).
    """
    granted: set[Grant] = set()
    for rule in rules:
        if rule.value in attributes.get(rule.attribute_uri, ()):
            granted.add((rule.role, rule.programme_id))
    return granted


def may_link(user: User, provider: IdentityProvider) -> bool:
    """Whether an identity provider may sign `user` in and manage their roles.

    Only an account whose roles all sit in the provider's institution: one school's IdP
    must never open a platform administrator's or another school's staff account.
    """
    if user.is_superuser or not user.is_active:
        return False
    institutions = set(StaffRole.objects.filter(user=user).values_list("institution_id", flat=True))
    return institutions <= {provider.institution_id}


@transaction.atomic
def follow_mapping(user: User, provider: IdentityProvider, wanted: set[Grant]) -> None:
    """Grant and remove `user`'s roles in the provider's institution to match `wanted`.

    Each grant and removal is recorded (SsoRoleChange), for the institution's records.
    """
    held = StaffRole.objects.filter(user=user, institution_id=provider.institution_id)
    current = {(row.role, row.programme_id): row for row in held}
    for grant in sorted(set(current) - wanted, key=str):
        current[grant].delete()
        _record(user, provider, grant, granted=False)
    for grant in sorted(wanted - set(current), key=str):
        role, programme_id = grant
        StaffRole.objects.create(
            user=user, role=role, institution_id=provider.institution_id, programme_id=programme_id
        )
        _record(user, provider, grant, granted=True)


def _record(user: User, provider: IdentityProvider, grant: Grant, *, granted: bool) -> None:
    role, programme_id = grant
    SsoRoleChange.objects.create(
        user=user,
        institution_id=provider.institution_id,
        role=role,
        programme_id=programme_id,
        granted=granted,
    )
