"""The candidate's personal API tokens: listed, made (shown once), revoked, through the
services of the API's own token endpoints (people.token_service)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from admissions.people import token_service
from admissions.people.models import User
from admissions.people.permissions import is_staff_member
from admissions.people.token_forms import TokenForm
from admissions.people.tokens import owned


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if is_staff_member(user):
        # A staff member's token needs their second factor: made in the back office.
        return redirect("office:tokens")
    form = TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        created = form.make(user) if form.is_valid() else None
        if created is None:
            status = 422
        else:
            form = TokenForm()
    response = render(
        request,
        "portal/tokens.html",
        {"tokens": list(owned(user)), "form": form, "created": created},
        status=status,
    )
    if created is not None:
        response["Cache-Control"] = "no-store"  # the token is shown this once
    return response


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(owned(_user(request)), pk=pk)
    token_service.revoke_token(token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("portal:tokens")
