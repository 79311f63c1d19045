"""The draft form's answer to the autosave script: JSON instead of a page.

The script posts the whole form after typing stops and when a field loses focus. Whatever
validates is saved, as with the Save button; the rest comes back as errors to show, and the
text stays in the candidate's browser. Nothing here ever submits a file.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import EDITABLE_BY_CANDIDATE, Status
from admissions.applications.models import Application
from admissions.core.errors import DomainError
from admissions.people.models import User
from admissions.portal.forms_applications import DraftForm
from admissions.rules.deadlines import PARIS
from admissions.workflow import drafts


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _saved(moment: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(moment, PARIS)
    # Paris time, as every time the platform shows; 24-hour clock in both languages.
    return {"saved_at": moment.isoformat(), "saved_time": date_format(local, "H:i")}


def _refused(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "errors": {"__all__": [message]}}, status=status)


def answer(application: Application, form: DraftForm, *, by: User) -> JsonResponse:
    """Save what validates; 200 with the time saved, or 422 with the errors of the rest."""
    if Status(application.status) not in EDITABLE_BY_CANDIDATE:
        return _refused(
            _(
                "This application was submitted: it can no longer be changed. What you typed "
                "is still on this page: copy it if you want to keep it."
            ),
            409,
        )
    try:
        changed = drafts.update_draft(application, by=by, **form.valid_changes())
    except DomainError as error:
        return _refused(error.message, error.http_status)
    body: dict[str, object] = {"changed": changed, **_saved(application.updated_at)}
    if not form.errors:
        return JsonResponse(body)
    errors = {name: [str(error) for error in messages] for name, messages in form.errors.items()}
    parts = []
    for name, messages in errors.items():
        field = form.fields.get(name)
        for message in messages:
            parts.append(
                _("%(field)s: %(error)s") % {"field": field.label, "error": message}
                if field is not None
                else message
            )
    body.update(errors=errors, message=" ".join(parts))
    return JsonResponse(body, status=422)
