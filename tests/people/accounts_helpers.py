"""Staff and candidates who log in for real, through allauth's pages."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.test import Client

from admissions.catalog.models import Institution
from admissions.people.models import Role, StaffRole, User

PASSWORD = "Correct horse battery 42"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def person(email: str, role: Role | None = None, institution: Institution | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role is not None:
        StaffRole.objects.create(user=user, role=role, institution=institution)
    return user


def log_in(client: Client, email: str, *, prefix: str = "/en", agent: str = "") -> object:
    headers = {"HTTP_USER_AGENT": agent} if agent else {}
    return client.post(
        f"{prefix}/accounts/login/", {"login": email, "password": PASSWORD}, **headers
    )
