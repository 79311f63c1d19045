"""Who may see and change the documents of a file.

A candidate sees only their own files; staff see the files of the programmes they are
assigned to. Anyone else is told the file does not exist (404), so that references cannot be
probed. Changing documents on a candidate's behalf (import, review) takes an officer's role.
"""

from __future__ import annotations

from django.http import Http404

from admissions.applications.models import Application
from admissions.documents import reads
from admissions.people.models import Role, User
from admissions.people.permissions import can_act_on_programme

# Roles that may judge documents and add them on a candidate's behalf.
DOCUMENT_OFFICERS = (Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN)


def is_owner(user: User, application: Application) -> bool:
    return bool(user.is_authenticated) and application.candidate_id == user.pk


def is_staff_on(user: User, application: Application) -> bool:
    """Any staff role on the application's programme: enough to read its documents."""
    return bool(user.is_authenticated) and can_act_on_programme(user, application.programme_id)


def is_officer_on(user: User, application: Application) -> bool:
    return bool(user.is_authenticated) and can_act_on_programme(
        user, application.programme_id, DOCUMENT_OFFICERS
    )


def can_read(user: User, application: Application) -> bool:
    return is_owner(user, application) or is_staff_on(user, application)


def readable_application(user: User, reference: str) -> Application:
    """The application `reference` if `user` may read it; Http404 otherwise."""
    application = reads.file_by_reference(reference)
    if application is None or not can_read(user, application):
        raise Http404
    return application


def officer_application(user: User, reference: str) -> Application:
    application = reads.file_by_reference(reference)
    if application is None or not is_officer_on(user, application):
        raise Http404
    return application
