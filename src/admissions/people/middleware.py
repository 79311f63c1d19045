"""What every signed-in request meets: the session's expiry, then the staff's second factor."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from admissions.people import session_expiry
from admissions.people.authentication import signed_in_user
from admissions.people.login_log import keep_device_cookie
from admissions.people.models import User
from admissions.people.second_factor import Standing, standing

# Paths (after the language prefix) a staff member without a second factor still reaches:
# the account pages where it is set up, the language switch, static files, the page that
# says why.
OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/office/second-factor/")
LANGUAGE_PREFIX = "/en/"


def _bare_path(path: str) -> str:
    if path.startswith(LANGUAGE_PREFIX):
        return path[len(LANGUAGE_PREFIX) - 1 :]
    return path


def _token_request(request: HttpRequest) -> bool:
    return getattr(request, "api_token", None) is not None


class SessionExpiryMiddleware:
    """Ends a session run out; sets the browser's cookie that a log-in made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = signed_in_user(request)
        if (
            isinstance(user, User)
            and user.is_authenticated
            and not _token_request(request)
            and session_expiry.expired(request.session, user)
        ):
            logout(request)
            if not _bare_path(request.path_info).startswith("/api/"):
                messages.info(request, _("Your session has expired: log in again."))
        response = self.get_response(request)
        # A log-in during this request named the browser: it keeps its name in a cookie.
        keep_device_cookie(request, response)
        return response


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated or _token_request(request):
            return self.get_response(request)
        path = _bare_path(request.path_info)
        if path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        found = standing(request, user)
        if found is Standing.SATISFIED:
            return self.get_response(request)
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "second_factor_required",
                    "message": _(
                        "Staff must log in with their second factor before using the API."
                    ),
                    "details": None,
                },
                # The sign-in is not complete: the answer any operation may give for it.
                status=401,
            )
        wanted = urlencode({"next": request.get_full_path()})
        if found is Standing.ENROL:
            return HttpResponseRedirect(f"{reverse('office:second_factor')}?{wanted}")
        return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{wanted}")
