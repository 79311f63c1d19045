"""Who signs each request: Django's check of the session, the user read with the session.

Django's `get_user` asks the backend named in the session to build the ORM query for the
user's row on every request. Both backends the site uses (Django's `ModelBackend` and
allauth's, which inherits its `get_user`) read the row by its key and refuse an inactive
user; here the row is the one the session store read in the same statement as the session
(`people/sessions.py`), when it is the row of the user the session's data names, else it is
read with a statement compiled once per process and database (`core.prepared`). Every check
is Django's own and runs on every request, nothing is kept between requests: the backend
must be one of the site's, the user's row is read afresh (deleted or deactivated: signed
out), and the session's hash of the password must match (password changed: signed out, the
session flushed), or one made with a previous secret key (the session then moves to the
current one).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoMiddleware
from django.contrib.auth.models import AnonymousUser
from django.db import router
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from admissions.core.prepared import Statement
from admissions.people.models import User
from admissions.people.sessions import FIELDS, joined_user

__all__ = ["FIELDS", "AuthenticationMiddleware", "get_user", "read_user"]

# Built with this in place of the request's user, then swapped.
_USER = -6_270_918_443
_compiled: dict[str, Statement] = {}


def _statement(using: str) -> Statement:
    found = _compiled.get(using)
    if found is None:
        rows = User._default_manager.filter(pk=_USER).values_list(*FIELDS)
        found = _compiled[using] = Statement.of(rows, [_USER], using)
    return found


def read_user(user_id: Any) -> User | None:
    """The user whose key is `user_id`, as `User.objects.get(pk=...)` gives it, or None."""
    using = router.db_for_read(User)
    statement = _statement(using)
    row = statement.fetchone([user_id], using)
    if row is None:
        return None
    return User.from_db(using, FIELDS, statement.converted(row, using))


def _backend_user(backend: Any, user_id: Any, session: Any) -> Any:
    if type(backend).get_user is not ModelBackend.get_user:
        # A backend that reads its users its own way.
        return backend.get_user(user_id)
    user = joined_user(session, user_id) or read_user(user_id)
    return user if user is not None and backend.user_can_authenticate(user) else None


def get_user(request: HttpRequest) -> Any:
    """Django's `auth.get_user`, the row read by `read_user`."""
    user = None
    try:
        user_id = User._meta.pk.to_python(request.session[auth.SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            user = _backend_user(load_backend(backend_path), user_id, request.session)
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    verified = False
                else:
                    current = user.get_session_auth_hash()
                    verified = constant_time_compare(session_hash, current)
                if not verified:
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback)
                        for fallback in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = current
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _cached_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


def signed_in_user(request: HttpRequest) -> Any:
    """The request's user, read now if it was not yet; `request.user` becomes the object
    itself, so that what reads it next (a dozen places a request) does not go through the
    lazy object's proxy on each access."""
    user: Any = request.user
    if type(user) is SimpleLazyObject:
        user = request.user = _cached_user(request)
    return user


class AuthenticationMiddleware(DjangoMiddleware):
    """Django's, with `get_user` above for the request's user (`auser` stays Django's)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))  # type: ignore[assignment]
