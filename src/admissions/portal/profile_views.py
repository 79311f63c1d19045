"""The candidate's profile pages: always the signed-in user's own profile, never another's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from admissions.people import services
from admissions.people.forms import (
    EducationForm,
    FrenchForm,
    IdentityForm,
    ResidenceForm,
    WorkPeriodForm,
)
from admissions.people.models import User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required guards every view here
    return user


def _overview_url(anchor: str) -> str:
    return f"{reverse('portal:profile')}#{anchor}"


def _overview_context(profile: CandidateProfile) -> dict[str, Any]:
    experience = services.experience_of(profile, timezone.localdate())
    return {
        "profile": profile,
        "completeness": services.completeness(profile),
        "experience": experience,
        "experience_text": services.describe_span(experience.span),
    }


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    profile = services.full_profile_for(_user(request))
    return render(request, "portal/profile/overview.html", _overview_context(profile))


def _edit(
    request: HttpRequest,
    *,
    form_class: type[ModelForm],  # type: ignore[type-arg]
    instance: Model,
    title: str | Promise,
    intro: str | Promise,
    anchor: str,
    saved: str | Promise,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    if request.method == "POST":
        form = form_class(request.POST, instance=instance)
        if form.is_valid():
            form.save()
            messages.success(request, saved)
            return HttpResponseRedirect(_overview_url(anchor))
    else:
        form = form_class(instance=instance)
    context = {"form": form, "title": title, "intro": intro, "back_url": _overview_url(anchor)}
    context.update(extra or {})
    return render(request, "portal/profile/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=IdentityForm,
        instance=services.profile_for(_user(request)),
        title=_("Identity"),
        intro=_("Your names as written on your identity document, and how to reach you."),
        anchor="identity",
        saved=_("Your identity is saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def residence(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=ResidenceForm,
        instance=services.profile_for(_user(request)),
        title=_("Nationality and residence"),
        intro=_(
            "Some programmes have rules for candidates who are not nationals of the European "
            "Union. If you live in France with a residence permit, give its details."
        ),
        anchor="residence",
        saved=_("Your nationality and residence are saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def french(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=FrenchForm,
        instance=services.profile_for(_user(request)),
        title=_("French level"),
        intro=_("A French certificate may be required if French is not your first language."),
        anchor="french",
        saved=_("Your French level is saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def education_add(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for(_user(request))
    return _edit(
        request,
        form_class=EducationForm,
        instance=Education(profile=profile),
        title=_("Add a diploma"),
        intro=_("Start with your highest diploma, obtained or expected this year."),
        anchor="education",
        saved=_("The diploma is added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def education_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = services.profile_for(_user(request))
    return _edit(
        request,
        form_class=EducationForm,
        instance=get_object_or_404(Education, pk=pk, profile=profile),
        title=_("Change a diploma"),
        intro="",
        anchor="education",
        saved=_("The diploma is saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_add(request: HttpRequest) -> HttpResponse:
    profile = services.profile_for(_user(request))
    return _edit(
        request,
        form_class=WorkPeriodForm,
        instance=WorkPeriod(profile=profile),
        title=_("Add a period of work"),
        intro=_("Periods that overlap are counted once in your total experience."),
        anchor="work",
        saved=_("The period of work is added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = services.profile_for(_user(request))
    return _edit(
        request,
        form_class=WorkPeriodForm,
        instance=get_object_or_404(WorkPeriod, pk=pk, profile=profile),
        title=_("Change a period of work"),
        intro="",
        anchor="work",
        saved=_("The period of work is saved."),
    )


def _delete(
    request: HttpRequest,
    *,
    entry: Education | WorkPeriod,
    profile: CandidateProfile,
    anchor: str,
    question: str | Promise,
    done: str | Promise,
) -> HttpResponse:
    if request.method != "POST":
        return render(
            request,
            "portal/profile/confirm_delete.html",
            {"entry": entry, "question": question, "back_url": _overview_url(anchor)},
        )
    if isinstance(entry, Education):
        services.delete_education(profile=profile, education=entry)
    else:
        services.delete_work_period(profile=profile, period=entry)
    if getattr(request, "htmx", False):
        # Only the section is swapped in; it carries its own status message.
        fresh = services.full_profile_for(_user(request))
        context = _overview_context(fresh) | {"status_message": done}
        return render(request, f"portal/profile/_{anchor}.html", context)
    messages.success(request, done)
    return HttpResponseRedirect(_overview_url(anchor))


@login_required
@require_http_methods(["GET", "POST"])
def education_delete(request: HttpRequest, pk: int) -> HttpResponse:
    profile = services.profile_for(_user(request))
    entry = get_object_or_404(Education, pk=pk, profile=profile)
    return _delete(
        request,
        entry=entry,
        profile=profile,
        anchor="education",
        question=_("Delete this diploma?"),
        done=_("The diploma is deleted."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_delete(request: HttpRequest, pk: int) -> HttpResponse:
    profile = services.profile_for(_user(request))
    entry = get_object_or_404(WorkPeriod, pk=pk, profile=profile)
    return _delete(
        request,
        entry=entry,
        profile=profile,
        anchor="work",
        question=_("Delete this period of work?"),
        done=_("The period of work is deleted."),
    )
