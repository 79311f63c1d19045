"""The staff's second factor: one policy, read by the middleware and by the sensitive acts.

A staff member (anyone holding a staff role, or a superuser) must have set up an
authenticator app (TOTP) or a security key / passkey (WebAuthn), and their session must have
passed it: allauth records each step of a log-in in the session (`mfa` for a code or a key).
A log-in through the institution's identity provider (`socialaccount`) counts as having
passed it when `STAFF_SSO_SATISFIES_SECOND_FACTOR` says that provider enforces its own.
Candidates are never forced; they may set one up on the same pages.
"""

from __future__ import annotations

import enum
import time
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from admissions.core.errors import DomainError
from admissions.people.models import User
from admissions.people.permissions import is_staff_member

# The kinds of authenticator that are a second factor on their own (recovery codes only
# stand in for one of them).
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


class Standing(enum.Enum):
    """Where a session stands against the policy."""

    SATISFIED = "satisfied"
    # No authenticator app nor security key yet: the person must set one up.
    ENROL = "enrol"
    # One exists, but this session has not passed it (a password-only log-in).
    CHALLENGE = "challenge"


def has_factor(user: User) -> bool:
    return bool(Authenticator.objects.filter(user=user, type__in=FACTOR_TYPES).exists())


def _records(request: HttpRequest, user: User) -> list[dict[str, Any]]:
    return list(get_authentication_records(request, user))


def passed_in_session(request: HttpRequest, user: User) -> bool:
    """Whether this session's log-in went through a second factor (or a trusted SSO)."""
    for record in _records(request, user):
        method = record.get("method")
        if method == "mfa" and record.get("type") in FACTOR_TYPES:
            return True
        if method == "mfa" and record.get("type") == Authenticator.Type.RECOVERY_CODES:
            return True
        if method == "socialaccount" and settings.STAFF_SSO_SATISFIES_SECOND_FACTOR:
            return True
    return False


def standing(request: HttpRequest, user: User) -> Standing:
    """Where `user`'s session stands; candidates and a suite that turned it off always pass."""
    if not settings.STAFF_SECOND_FACTOR_REQUIRED or not is_staff_member(user):
        return Standing.SATISFIED
    if passed_in_session(request, user):
        return Standing.SATISFIED
    if has_factor(user):
        return Standing.CHALLENGE
    return Standing.ENROL


def login_method(records: list[dict[str, Any]]) -> str:
    """How a log-in was made, for the log: sso, webauthn, mfa (a code) or password."""
    methods = [r.get("method") for r in records]
    if "socialaccount" in methods:
        return "sso"
    for record in records:
        if record.get("method") == "mfa" and record.get("type") == Authenticator.Type.WEBAUTHN:
            return "webauthn"
    if "mfa" in methods:
        return "mfa"
    return "password"


def on_factor_added(
    sender: Any, request: HttpRequest | None, user: User, authenticator: Authenticator, **kw: Any
) -> None:
    """Setting a factor up proves holding it (the form checked a code or a key's answer):
    the session that did it has passed it, so a staff member is not asked again at once."""
    if request is None or authenticator.type not in FACTOR_TYPES:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


# How long a confirmation of the second factor counts for a sensitive act (allauth's own
# re-authentication window).
FRESH_SECONDS = 300


class SecondFactorRefused(DomainError):  # noqa: N818 - named for the client's case
    code = "second_factor_required"
    http_status = 403


def confirm_fresh(request: HttpRequest, user: User, code: str) -> str:
    """The second factor given for a sensitive act, now: a code of the authenticator app
    typed with the request, else a re-authentication with a code or a key in the last five
    minutes. Returns which ("totp" or "reauthenticated"); refuses otherwise."""
    code = (code or "").strip()
    if code:
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is not None and TOTP(totp).validate_code(code):
            return "totp"
        raise SecondFactorRefused(
            _("This code is not the current code of your authenticator app."),
            code="second_factor_invalid",
        )
    now = time.time()
    for record in _records(request, user):
        if (
            record.get("method") == "mfa"
            and record.get("reauthenticated")
            and record.get("type") in FACTOR_TYPES
            and now - float(record.get("at", 0)) <= FRESH_SECONDS
        ):
            return "reauthenticated"
    raise SecondFactorRefused(
        _(
            "Confirm this change with your second factor: type the current code of your "
            "authenticator app, or confirm with your security key first."
        )
    )
