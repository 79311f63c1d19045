"""Officers judge a file's documents: accept one, or reject it with a reason for the candidate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from admissions.applications.models import Application
from admissions.core.errors import DomainError
from admissions.documents import access, review, services
from admissions.documents.models import Document
from admissions.office.documents_forms import AskForm, RejectForm
from admissions.people.models import User


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _document(application: Application, code: str, *, translation: bool) -> Document:
    document = services.find_document(application, code, translation=translation)
    if document is None:
        raise Http404
    return document


def _back(application: Application, code: str) -> HttpResponse:
    """Back to the file's checklist, at the item judged."""
    return redirect(reverse("documents:list", args=[application.reference]) + f"#doc-{code}")


@login_required
@require_POST
def review_document(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    user = _user(request)
    application = access.officer_application(user, reference)
    translation = request.POST.get("translation") == "1"
    document = _document(application, code, translation=translation)
    try:
        if request.POST.get("decision") == "accept":
            review.accept_document(document, by=user)
            messages.success(request, _("The document is accepted."))
        else:
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the document is rejected."))
                return _back(application, code)
            review.reject_document(document, by=user, reason=form.cleaned_data["reason"])
            messages.success(request, _("The document is rejected; the candidate will see why."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return _back(application, code)


@login_required
@require_POST
def ask_document(request: HttpRequest, reference: str) -> HttpResponse:
    """An officer asks for a piece after submission; the file goes back to the candidate."""
    user = _user(request)
    application = access.officer_application(user, reference)
    form = AskForm(request.POST, choices=review.askable(application))
    if not form.is_valid():
        messages.error(request, _("Choose the document and say why it is asked for."))
        return redirect(reverse("documents:list", args=[application.reference]) + "#ask")
    code = form.cleaned_data["requirement"]
    try:
        review.request_document(application, code, by=user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(reverse("documents:list", args=[application.reference]) + "#ask")
    messages.success(request, _("The document is asked for; the candidate will see why."))
    return _back(application, code)
