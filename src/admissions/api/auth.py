"""Who calls the API: a signed-in session (with Django's CSRF check on unsafe methods), or a
personal API token sent as `Authorization: Bearer <token>`, which the API's middleware has
already checked (api/middleware.py) before any operation runs.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer, django_auth

from admissions.catalog.models import Institution
from admissions.people.models import User
from admissions.people.tokens import ApiToken


class TokenAuth(HttpBearer):
    """Declares the bearer scheme in the schema; the middleware has made `request.user`."""

    def __call__(self, request: HttpRequest) -> Any:
        # The middleware read the header and found the token (or refused the request): the
        # header is not read again (`request.headers` would copy every header first).
        return self.authenticate(request, "")

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found: ApiToken | None = getattr(request, "api_token", None)
        return found.user if found is not None else None


class SessionAuth(APIKeyCookie):
    """Django's session, under the name the schema shows; a token-signed request skips it."""

    param_name = "sessionid"

    def __call__(self, request: HttpRequest) -> Any:
        if getattr(request, "api_token", None) is not None:
            return None
        return django_auth(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None  # __call__ does the work


token_auth = TokenAuth()
session_auth = SessionAuth()
# Every operation that needs a person accepts both.
user_auth = [token_auth, session_auth]


def caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def token_institution(request: HttpRequest) -> int | None:
    """The institution a token is tied to, if the request came with such a token."""
    token: ApiToken | None = getattr(request, "api_token", None)
    return token.institution_id if token is not None else None


def within_token_scope(request: HttpRequest, institution: Institution | int) -> bool:
    bound = token_institution(request)
    wanted = institution if isinstance(institution, int) else institution.pk
    return bound is None or bound == wanted
