"""Demonstration accounts: one staff member per role and institution, and candidates."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from admissions.catalog.models import Institution
from admissions.people.models import Role, StaffRole, User

# Printed in README.md, section "Demo accounts". Demonstration data only.
DEMO_PASSWORD = "demo-admissions-2026"  # noqa: S105

STAFF_ROLES = [
    ("officer", Role.ADMISSIONS_OFFICER),
    ("lead", Role.PEDAGOGICAL_LEAD),
    ("interviewer", Role.INTERVIEWER),
    ("juror", Role.JURY_MEMBER),
    ("president", Role.JURY_PRESIDENT),
    ("finance", Role.FINANCE_OFFICER),
    ("admin", Role.INSTITUTION_ADMIN),
]
PLATFORM_ADMIN = "platform@admissions.example"


def demo_user(email: str, *, given: str = "", family: str = "", staff: bool = False) -> User:
    """The account for `email`, created once with the demo password and a verified address."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            first_name=given,
            last_name=family,
            is_staff=staff,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def staff_email(prefix: str, institution: Institution) -> str:
    return f"{prefix}@{institution.slug}.example"


def create_staff() -> list[tuple[str, str, str]]:
    """Every role of every institution; returns (email, role, institution) rows."""
    rows: list[tuple[str, str, str]] = []
    admin = demo_user(PLATFORM_ADMIN, given="Platform", family="Admin", staff=True)
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])
    StaffRole.objects.get_or_create(user=admin, role=Role.PLATFORM_ADMIN)
    rows.append((PLATFORM_ADMIN, str(Role.PLATFORM_ADMIN.label), "-"))
    for institution in Institution.objects.order_by("slug"):
        for prefix, role in STAFF_ROLES:
            email = staff_email(prefix, institution)
            user = demo_user(email, given=str(role.label), family=institution.short_name)
            StaffRole.objects.get_or_create(user=user, role=role, institution=institution)
            rows.append((email, str(role.label), institution.short_name))
    return rows
