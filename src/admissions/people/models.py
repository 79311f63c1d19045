"""Users (candidates and staff) and the roles staff hold on institutions and programmes."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address; candidates and staff alike."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="fr",
        choices=[("fr", "Français"), ("en", "English")],
    )
    # Whether the person holds any staff role, kept by people/roles_flag.py when a role is
    # saved or deleted: a candidate's pages then need no query for their roles.
    holds_staff_role = models.BooleanField(default=False, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name to print: the candidate's profile's, else the account's, else the address.

        Lists select `profile` with the user, so that naming many costs no query each.
        """
        try:
            profile = self.profile
        except ObjectDoesNotExist:
            profile = None
        if profile is not None:
            name = f"{profile.given_names} {profile.family_name}".strip()
            if name:
                return name
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    ADMISSIONS_OFFICER = "admissions_officer", _("Admissions officer")
    PEDAGOGICAL_LEAD = "pedagogical_lead", _("Pedagogical lead")
    INTERVIEWER = "interviewer", _("Interviewer")
    JURY_MEMBER = "jury_member", _("Jury member")
    JURY_PRESIDENT = "jury_president", _("Jury president")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


class StaffRole(models.Model):
    """A role a staff member holds on an institution, or on one programme of it.

    A role with no programme covers every programme of the institution; a platform
    administrator's role has no institution.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    programme = models.ForeignKey(
        "catalog.Programme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "institution", "programme"], name="staff_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role}"


from admissions.people.bank_rights import BankDetailsChange, BankDetailsPermission  # noqa: E402
from admissions.people.identity_providers import (  # noqa: E402
    IdentityProvider,
    RoleMappingRule,
    SsoRoleChange,
)
from admissions.people.logins import LoginEvent, LoginMethod  # noqa: E402
from admissions.people.profile import (  # noqa: E402  (models of the app, kept in their module)
    CandidateProfile,
    Education,
    WorkPeriod,
)
from admissions.people.session_rows import Session  # noqa: E402
from admissions.people.tokens import ApiToken  # noqa: E402

__all__ = [
    "ApiToken",
    "BankDetailsChange",
    "BankDetailsPermission",
    "CandidateProfile",
    "Education",
    "IdentityProvider",
    "LoginEvent",
    "LoginMethod",
    "Role",
    "RoleMappingRule",
    "Session",
    "SsoRoleChange",
    "StaffRole",
    "User",
    "WorkPeriod",
]
