"""The outbox for staff: every email of their programmes' files, its status, its words.

In the embedded default, mail is printed rather than sent: this page is where a newcomer
reads it. A failed email shows here with its error, and can be sent again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from admissions.core.errors import DomainError
from admissions.notify import access, outbox
from admissions.notify.kinds import kind
from admissions.notify.models import Notification, Status
from admissions.people.models import User
from admissions.people.permissions import is_staff_member

PAGE_SIZE = 50
# An email's HTML, shown alone in a frame of the outbox page: no script, no request out.
EMAIL_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
)


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_staff_member(user):
        raise Http404
    return user


def _email(user: User, pk: int) -> Notification:
    found = access.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def outbox_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    emails = access.visible_to(user)
    status = request.GET.get("status", "")
    if status in Status.values:
        emails = emails.filter(status=status)
    reference = request.GET.get("reference", "").strip()
    if reference:
        emails = emails.filter(application__reference=reference)
    page = Paginator(emails.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "reference": reference,
        "statuses": Status.choices,
        "failed": access.visible_to(user).filter(status=Status.FAILED).count(),
    }
    return render(request, "office/outbox/list.html", context)


@login_required
@require_GET
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    email = _email(user, pk)
    context = {
        "email": email,
        "kind": kind(email.kind),
        "readable": access.may_read_content(user, email),
        "resendable": outbox.may_resend(user, email),
        "resends": email.resends.order_by("created_at"),
    }
    return render(request, "office/outbox/detail.html", context)


@login_required
@require_GET
@xframe_options_sameorigin
def outbox_html(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    email = _email(user, pk)
    if not access.may_read_content(user, email):
        raise Http404
    response = HttpResponse(email.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = EMAIL_POLICY
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    email = _email(user, pk)
    try:
        copy = outbox.resend(email, by=user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("office:outbox_detail", pk=email.pk)
    messages.success(
        request, _("The email was queued again to %(address)s.") % {"address": copy.to_address}
    )
    return redirect("office:outbox_detail", pk=copy.pk)
