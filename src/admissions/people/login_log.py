"""Recording log-ins as they happen, the browser that made them, and forgetting old ones.

Connected to Django's `user_logged_in` and `user_login_failed` (people/apps.py). A log-in
made by code rather than over HTTP (a shell, the test client's `force_login`) carries no
client address and is no person's log-in from a browser: it starts the session's clock
but is not logged.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from admissions.core.clientaddress import client_address
from admissions.people import session_expiry
from admissions.people.logins import LoginEvent
from admissions.people.models import User
from admissions.people.second_factor import login_method
from admissions.people.signals import new_device_login

DEVICE_COOKIE = "admissions_device"
DEVICE_SALT = "admissions.people.device"
# Where a log-in leaves a browser's new identifier, for the response to set as a cookie.
NEW_DEVICE_ATTRIBUTE = "admissions_new_device"


def _over_http(request: HttpRequest | None) -> bool:
    return request is not None and bool(request.META.get("REMOTE_ADDR"))


def device_of(request: HttpRequest) -> tuple[str, bool]:
    """The browser's identifier from its signed cookie, or a new one (and True)."""
    known = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    if known and len(known) <= 40:
        return str(known), False
    made = secrets.token_urlsafe(24)
    setattr(request, NEW_DEVICE_ATTRIBUTE, made)
    return made, True


def keep_device_cookie(request: HttpRequest, response: HttpResponse) -> None:
    made = getattr(request, NEW_DEVICE_ATTRIBUTE, None)
    if made:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            made,
            salt=DEVICE_SALT,
            max_age=settings.DEVICE_COOKIE_DAYS * 86400,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def _address(request: HttpRequest) -> str | None:
    found = client_address(request)
    return found or None


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_expiry.start(request.session)
    if not _over_http(request) or not isinstance(user, User):
        return
    assert request is not None
    record_login(request, user)


def record_login(request: HttpRequest, user: User) -> LoginEvent:
    device, _new = device_of(request)
    seen_before = LoginEvent.objects.filter(user=user, succeeded=True)
    first_ever = not seen_before.exists()
    known_device = not first_ever and seen_before.filter(device=device).exists()
    event = LoginEvent.objects.create(
        user=user,
        at=timezone.now(),
        succeeded=True,
        method=login_method(list(get_authentication_records(request, user))),
        ip=_address(request),
        user_agent=request.headers.get("User-Agent", "")[:300],
        device=device,
    )
    # Not on an account's first log-in (just after sign-up, or a first visit): every device
    # is new then, and the person is the one who just made the account.
    if not first_ever and not known_device:
        new_device_login.send(sender=LoginEvent, user=user, event=event)
    return event


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if not _over_http(request):
        return
    assert request is not None
    address = str(credentials.get("email") or credentials.get("username") or "").strip()
    user = User.objects.filter(email__iexact=address).first() if address else None
    if user is None:
        return
    device = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT) or ""
    LoginEvent.objects.create(
        user=user,
        at=timezone.now(),
        succeeded=False,
        method="",
        ip=_address(request),
        user_agent=request.headers.get("User-Agent", "")[:300],
        device=str(device)[:40],
    )


def forget_old_logins(now: dt.datetime) -> int:
    """Deletes the log-ins older than `LOGIN_LOG_DAYS`; returns how many."""
    limit = now - dt.timedelta(days=settings.LOGIN_LOG_DAYS)
    deleted, _kinds = LoginEvent.objects.filter(at__lt=limit).delete()
    return deleted


def run_job(now: dt.datetime) -> str:
    return str(forget_old_logins(now))
