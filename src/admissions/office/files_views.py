"""A file seen by the staff of its programme: its whole history, its emails, its messages.

Every email sent about the file is listed with its status and can be sent again; messages
with the candidate are read and written here, and reading them marks them read for the
reader alone.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from admissions.applications.models import Application
from admissions.applications.queries import describe, document_labels
from admissions.documents import access
from admissions.documents.uploadlimit import declared_too_large, limit_upload
from admissions.notify import outbox
from admissions.people.models import User
from admissions.people.permissions import is_staff_member
from admissions.workflow import messages

UPLOAD_LIMIT = messages.MAX_ATTACHMENTS * messages.ATTACHMENT.max_bytes


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_staff_member(user):
        raise Http404
    return user


def _file(user: User, reference: str) -> Application:
    application = (
        Application.objects.select_related(
            "candidate", "programme", "programme__institution", "campaign"
        )
        .filter(reference=reference)
        .first()
    )
    if application is None or not access.is_staff_on(user, application):
        raise Http404
    return application


@login_required
@require_GET
def file_page(request: HttpRequest, reference: str) -> HttpResponse:
    user = _staff(request)
    application = _file(user, reference)
    documents = document_labels(application)
    events = [
        (event, describe(event, documents))
        for event in application.events.select_related("actor").order_by("-at", "-id")
    ]
    emails = application.notifications.order_by("-created_at", "-id")
    context = {
        "application": application,
        "events": events,
        "emails": emails,
        "resendable": [e.pk for e in emails if outbox.may_resend(user, e)],
        "unread": messages.unread_for_staff(user).get(application.pk, 0),
    }
    return render(request, "office/files/file.html", context)


@csrf_exempt  # checked in `_messages_page`, once the upload limit is in place
@login_required
@require_http_methods(["GET", "POST"])
def file_messages(request: HttpRequest, reference: str) -> HttpResponse:
    user = _staff(request)
    application = _file(user, reference)
    too_large = request.method == "POST" and declared_too_large(request, UPLOAD_LIMIT)
    handler = limit_upload(request, UPLOAD_LIMIT) if request.method == "POST" else None
    return _messages_page(
        request, user, application, too_large or bool(handler and handler.exceeded)
    )


@csrf_protect
def _messages_page(
    request: HttpRequest, user: User, application: Application, too_large: bool
) -> HttpResponse:
    error = ""
    body = ""
    if request.method == "POST":
        body = "" if too_large else request.POST.get("body", "")
        if too_large:
            error = _("The files are too large: a message carries at most 3 files of 10 MB.")
        else:
            uploads = [
                messages.Upload(stream=file.file, filename=file.name or "")  # type: ignore[arg-type]
                for file in request.FILES.getlist("attachments")
                if file.size
            ]
            try:
                messages.post_message(application, by=user, body=body, attachments=uploads)
            except messages.MessageRefused as refused:
                error = refused.message
            else:
                flash.success(request, _("Your message was sent; the candidate is told by email."))
                return redirect("office:file_messages", reference=application.reference)
    thread = messages.thread(application)
    messages.mark_read(application, user)
    context = {
        "application": application,
        "thread": thread,
        "body": body,
        "error": error,
        "max_attachments": messages.MAX_ATTACHMENTS,
    }
    return render(request, "office/files/messages.html", context, status=422 if error else 200)


@login_required
@require_GET
def messages_inbox(request: HttpRequest) -> HttpResponse:
    """The files of the reader's programmes with messages of candidates they have not read."""
    user = _staff(request)
    unread = messages.unread_for_staff(user)
    files = (
        Application.objects.filter(pk__in=list(unread))
        .select_related("candidate", "programme")
        .order_by("-updated_at")
    )
    rows = [(application, unread[application.pk]) for application in files]
    return render(request, "office/files/inbox.html", {"rows": rows})
