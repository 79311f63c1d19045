"""How the platform's accounts differ from allauth's defaults."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from admissions.core.clientaddress import client_address
from admissions.people.models import User
from admissions.people.permissions import is_staff_member


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> User:
        # Later notifications go out in the language the candidate signed up in.
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        saved: User = super().save_user(request, user, form, commit=commit)
        return saved

    def get_client_ip(self, request: HttpRequest) -> str:
        # Rate limits count per client: behind the reverse proxy, the one it reports.
        return client_address(request) or super().get_client_ip(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Staff land on their back office, not on a candidate's dashboard; a page asked for
        # before logging in (?next=) still wins, as allauth reads it first.
        user = request.user
        if isinstance(user, User) and is_staff_member(user):
            return reverse("office:home")
        url: str = super().get_login_redirect_url(request)
        return url

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # An account made at a first log-in through an institution is a staff member's.
        user = request.user
        if isinstance(user, User) and is_staff_member(user):
            return reverse("office:home")
        url: str = super().get_signup_redirect_url(request)
        return url
