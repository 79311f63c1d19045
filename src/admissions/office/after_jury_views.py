"""The moves the office makes on a file after the jury: the obtained diploma asked for,
accepted, the condition lifted; the visa's outcome; a place kept after its window released."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from admissions.applications.models import Application
from admissions.core.errors import DomainError
from admissions.office.file_views import staff_application
from admissions.people.models import User
from admissions.rules.deadlines import paris_date
from admissions.workflow import conditions, international


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _back(application: Application) -> HttpResponse:
    return redirect(reverse("office:file", args=[application.reference]) + "#after-jury")


def _run(request: HttpRequest, success: str, move: Callable[[], object]) -> None:
    try:
        move()
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success)


@login_required
@require_POST
def diploma(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask for the obtained diploma (rejecting the copy on file), or accept the one sent."""
    user = _user(request)
    application = staff_application(user, reference)
    if request.POST.get("decision") == "accept":
        _run(
            request,
            _("The diploma is accepted."),
            lambda: conditions.accept_diploma(application, by=user),
        )
    else:
        _run(
            request,
            _("The obtained diploma is asked for."),
            lambda: conditions.ask_for_diploma(application, by=user),
        )
    return _back(application)


@login_required
@require_POST
def lift(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    _run(
        request,
        _("The condition is lifted: the admission is final."),
        lambda: conditions.lift_condition(application, by=user),
    )
    return _back(application)


def _decided_on(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.POST.get("decided_on", ""))
    except ValueError:
        return paris_date(timezone.now())


@login_required
@require_POST
def visa(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    decided_on = _decided_on(request)
    if request.POST.get("outcome") == "refused":
        _run(
            request,
            _("The refusal is recorded: the place is released and the refund is asked for."),
            lambda: international.record_visa_refused(application, by=user, decided_on=decided_on),
        )
    else:
        _run(
            request,
            _("The visa is recorded as granted."),
            lambda: international.record_visa_granted(application, by=user, decided_on=decided_on),
        )
    return _back(application)
