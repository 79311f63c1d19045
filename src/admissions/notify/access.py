"""Who sees which emails of the outbox, and who may read what they say.

Staff see the emails of the files of their programmes; platform administrators see every
email, account emails included. An email that carries a sign-in or password link is shown
to no one on a site that really sends mail; where mail goes nowhere a person reads (the
embedded default prints it), platform administrators may read it, so that a first run can
be tried without a mail server.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from admissions.notify.models import Notification
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids, has_platform_role, is_staff_member


def visible_to(user: User) -> QuerySet[Notification]:
    if not is_staff_member(user):
        return Notification.objects.none()
    emails = Notification.objects.select_related("application", "recipient")
    if has_platform_role(user):
        return emails
    return emails.filter(application__programme_id__in=allowed_programme_ids(user))


def may_read_content(user: User, notification: Notification) -> bool:
    if not notification.sensitive:
        return True
    return bool(getattr(settings, "EMAIL_OUTBOX_SHOWS_LINKS", False)) and has_platform_role(user)
