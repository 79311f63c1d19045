"""`User.holds_staff_role` kept in step with the user's StaffRole rows.

Receivers of the rows' saves and deletions (a queryset's `delete` sends them too); rows
written without signals (`bulk_create`, raw SQL) leave the flag as it was: a new staff
member is then refused until a role is saved again, never the other way round.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from admissions.people.models import StaffRole, User

USER_FIELD = StaffRole._meta.get_field("user")


def role_saved(sender: type[StaffRole], instance: StaffRole, **kwargs: Any) -> None:
    User.objects.filter(pk=instance.user_id, holds_staff_role=False).update(holds_staff_role=True)
    _tell_the_object(instance, True)


def role_deleted(sender: type[StaffRole], instance: StaffRole, **kwargs: Any) -> None:
    holds = StaffRole.objects.filter(user=OuterRef("pk"))
    User.objects.filter(pk=instance.user_id).update(holds_staff_role=Exists(holds))
    _tell_the_object(instance, StaffRole.objects.filter(user_id=instance.user_id).exists())


def _tell_the_object(instance: StaffRole, holds: bool) -> None:
    # The user object the row was made with (often the caller's own) says the same.
    user = USER_FIELD.get_cached_value(instance, None)
    if isinstance(user, User):
        user.holds_staff_role = holds
