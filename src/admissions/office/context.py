"""Whether the signed-in person holds a staff role, for the menu's link to the back office."""

from __future__ import annotations

from django.http import HttpRequest

from admissions.people.models import User
from admissions.people.permissions import is_staff_member


def staff(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"is_staff_member": False}
    return {"is_staff_member": lambda: is_staff_member(user)}
