"""The whole file on one page for the staff of its programme, and the moves made from it.

Anyone else, a candidate included, is told the file does not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from admissions.applications.choices import financing_label, track_label
from admissions.applications.models import Application
from admissions.core.errors import DomainError
from admissions.documents.access import is_staff_on
from admissions.documents.models import Document
from admissions.documents.serving import serve_version
from admissions.office.after_jury_data import after_jury
from admissions.office.file_forms import AdmissibilityForm, InterviewForm, NoteForm, RejectForm
from admissions.people.models import User
from admissions.review import admissibility, completeness, interviews, notes, roles
from admissions.review.admissibility import outcome_label
from admissions.review.file_data import whole_file
from admissions.review.models import Outcome


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def staff_application(user: User, reference: str) -> Application:
    application = (
        Application.objects.select_related(
            "candidate", "candidate__profile", "programme", "campaign"
        )
        .filter(reference=reference)
        .first()
    )
    if application is None or not is_staff_on(user, application):
        raise Http404
    return application


def _back(application: Application, anchor: str = "") -> HttpResponse:
    url = reverse("office:file", args=[application.reference])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_GET
def file_page(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    language = get_language() or "fr"
    rules = application.rules
    data = whole_file(application)
    slot = data.interview.slot if data.interview else None
    may = {
        "completeness": roles.can(user, application, roles.COMPLETENESS),
        "admissibility": roles.can(user, application, roles.ADMISSIBILITY),
        "organise": roles.can(user, application, roles.INTERVIEW_ORGANISERS),
        "grade": roles.can(user, application, roles.INTERVIEW_GRADERS)
        or bool(slot and slot.interviewer_id == user.pk),
    }
    context = {
        "file": data,
        "application": application,
        "may": may,
        "reject_form": RejectForm(),
        "note_form": NoteForm(),
        "admissibility_form": AdmissibilityForm(rules.review.criteria, language),
        "interview_form": InterviewForm(rules.interview.criteria, language),
        "positive": outcome_label(application, Outcome.POSITIVE, language),
        "negative": outcome_label(application, Outcome.NEGATIVE, language),
        "interview_mandatory": rules.interview.mandatory,
        "track": track_label(application.track),
        "financing": financing_label(application.campaign, application.financing_mode, language),
        "after_jury": after_jury(application, user),
    }
    return render(request, "office/file.html", context)


@login_required
@require_GET
def preview(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """A version shown inside the file page; the same checks as a download."""
    return serve_version(request, public_id, inline=True)


def _document(application: Application, code: str, translation: bool) -> Document:
    documents = Document.objects.filter(application=application, requirement_code=code)
    if translation:
        return get_object_or_404(documents, translation_of__isnull=False)
    return get_object_or_404(documents, translation_of__isnull=True)


def _attempt(request: HttpRequest, success: str, move: Callable[[], object]) -> None:
    """Run one service move; the page tells the outcome, or the service's refusal."""
    try:
        move()
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success)


@login_required
@require_POST
def judge_document(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    document = _document(application, code, request.POST.get("translation") == "1")
    if request.POST.get("decision") == "accept":
        _attempt(
            request,
            _("The document is accepted."),
            lambda: completeness.accept(document, by=user),
        )
        return _back(application, f"doc-{code}")
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason from the list."))
        return _back(application, f"doc-{code}")
    _attempt(
        request,
        _("The document is rejected; the candidate will see why."),
        lambda: completeness.reject(
            document, by=user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        ),
    )
    return _back(application, f"doc-{code}")


@login_required
@require_POST
def mark_complete(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    _attempt(
        request,
        _("The file is complete."),
        lambda: completeness.mark_complete(application, by=user),
    )
    return _back(application, "documents")


@login_required
@require_POST
def record_admissibility(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    form = AdmissibilityForm(
        application.rules.review.criteria, get_language() or "fr", request.POST
    )
    if not form.is_valid():
        messages.error(request, _("Score every criterion between 0 and 20, and choose an outcome."))
        return _back(application, "admissibility")
    _attempt(
        request,
        _("The admissibility opinion is recorded."),
        lambda: admissibility.record_admissibility(
            application,
            by=user,
            scores=form.scores(),
            outcome=Outcome(form.cleaned_data["outcome"]),
            comment=form.cleaned_data["comment"],
        ),
    )
    return _back(application, "admissibility")


@login_required
@require_POST
def invite(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    _attempt(
        request,
        _("The candidate is invited to book an interview slot."),
        lambda: interviews.invite(application, by=user),
    )
    return _back(application, "interview")


@login_required
@require_POST
def record_interview(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    if request.POST.get("no_show") == "1":
        _attempt(
            request,
            _("The candidate is recorded as absent."),
            lambda: interviews.record_no_show(application, by=user),
        )
        return _back(application, "interview")
    form = InterviewForm(application.rules.interview.criteria, get_language() or "fr", request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Score every criterion between 0 and 20, and give a recommendation.")
        )
        return _back(application, "interview")
    _attempt(
        request,
        _("The interview grid is recorded."),
        lambda: interviews.record_interview(
            application,
            by=user,
            scores=form.scores(),
            recommendation=form.cleaned_data["recommendation"],
            comment=form.cleaned_data["comment"],
        ),
    )
    return _back(application, "interview")


@login_required
@require_POST
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = staff_application(user, reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            _("Your note is saved."),
            lambda: notes.add_note(application, by=user, text=form.cleaned_data["text"]),
        )
    else:
        messages.error(request, _("Write the note first."))
    return _back(application, "notes")
