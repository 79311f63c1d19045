"""Notes staff leave on a file for one another; the candidate never sees them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.core.errors import NotAllowed, ValidationFailed
from admissions.people.models import User
from admissions.people.permissions import can_act_on_programme
from admissions.review.models import StaffNote

MAX_NOTE = 4000


def add_note(application: Application, *, by: User, text: str) -> StaffNote:
    """Any staff member of the programme may annotate its files."""
    if not can_act_on_programme(by, application.programme_id):
        raise NotAllowed(_("Your role does not allow this on this programme."))
    text = text.strip()
    if not text or len(text) > MAX_NOTE:
        raise ValidationFailed(
            _("A note holds between 1 and %(max)s characters.") % {"max": MAX_NOTE},
            details={"field": "text"},
        )
    # Not in the file's history: the candidate reads the history, and a note is no change of
    # the file; the note itself keeps its author and time.
    return StaffNote.objects.create(application=application, author=by, text=text)
