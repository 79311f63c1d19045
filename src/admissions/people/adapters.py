"""How the platform's accounts differ from allauth's defaults."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from admissions.core.clientaddress import client_address
from admissions.people.models import User


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
