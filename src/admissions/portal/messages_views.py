"""Messages on a file, the candidate's side; and the attachments, for whoever may read them.

The page posts to itself; the service checks the words and every attached file (the same
checks as documents) and tells the admissions office by email. A refusal comes back as an
error on the page, with what was typed kept.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from admissions.applications.models import Application
from admissions.applications.queries import own_application
from admissions.documents import storage
from admissions.documents.serving import attachment
from admissions.documents.uploadlimit import declared_too_large, limit_upload
from admissions.people.models import User
from admissions.workflow import messages
from admissions.workflow.models import MessageAttachment

# What one message may carry, with room for its words.
UPLOAD_LIMIT = messages.MAX_ATTACHMENTS * messages.ATTACHMENT.max_bytes


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@csrf_exempt  # checked in `_page`, once the upload limit is in place
@login_required
@require_http_methods(["GET", "POST"])
def application_messages(request: HttpRequest, reference: str) -> HttpResponse:
    application = own_application(_user(request), reference)
    too_large = request.method == "POST" and declared_too_large(request, UPLOAD_LIMIT)
    handler = limit_upload(request, UPLOAD_LIMIT) if request.method == "POST" else None
    return _page(request, application, too_large or bool(handler and handler.exceeded))


@csrf_protect
def _page(request: HttpRequest, application: Application, too_large: bool) -> HttpResponse:
    user = _user(request)
    error = ""
    body = ""
    if request.method == "POST":
        body = "" if too_large else request.POST.get("body", "")
        if too_large:
            error = _("The files are too large: a message carries at most 3 files of 10 MB.")
        else:
            try:
                messages.post_message(application, by=user, body=body, attachments=uploads(request))
            except messages.MessageRefused as refused:
                error = refused.message
            else:
                flash.success(request, _("Your message was sent to the admissions office."))
                return redirect("portal:application_messages", reference=application.reference)
    thread = messages.thread(application)
    messages.mark_read(application, user)
    context = {
        "application": application,
        "thread": thread,
        "body": body,
        "error": error,
        "max_attachments": messages.MAX_ATTACHMENTS,
    }
    return render(
        request,
        "portal/applications/messages.html",
        context,
        status=422 if error else 200,
    )


def uploads(request: HttpRequest) -> list[messages.Upload]:
    return [
        messages.Upload(stream=file.file, filename=file.name or "")  # type: ignore[arg-type]
        for file in request.FILES.getlist("attachments")
        if file.size
    ]


@login_required
@require_GET
def message_attachment(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """An attachment as an inert download, for the candidate or the staff of the programme."""
    found = (
        MessageAttachment.objects.select_related(
            "message__application__programme", "message__application__candidate"
        )
        .filter(public_id=public_id)
        .first()
    )
    if found is None or not messages.may_read(_user(request), found.message.application):
        raise Http404
    application = found.message.application
    response = FileResponse(
        storage.open_file(found.file),
        as_attachment=True,
        filename=f"{application.reference}-message-{found.message_id}-{found.pk}.{found.extension}",
        content_type=found.content_type,
    )
    return attachment(response)
