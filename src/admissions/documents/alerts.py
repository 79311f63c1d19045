"""Telling the admissions officers of a programme that an infected file was sent.

Sent after the transaction that quarantined the file commits, so an alert never describes a
file that was not kept. Each officer gets the message in their preferred language.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from admissions.applications.models import Application
from admissions.documents.models import QuarantinedFile
from admissions.people.models import Role, StaffRole, User

logger = logging.getLogger(__name__)


def admissions_officers(application: Application) -> list[User]:
    """Officers assigned to the programme, or to its whole institution."""
    programme = application.programme
    roles = StaffRole.objects.filter(role=Role.ADMISSIONS_OFFICER).filter(
        Q(programme=programme) | Q(programme__isnull=True, institution_id=programme.institution_id)
    )
    users = User.objects.filter(pk__in=roles.values("user_id"), is_active=True).order_by("pk")
    return list(users)


def alert_infected_upload(quarantined: QuarantinedFile) -> int:
    """Mail every officer of the programme; returns the number of messages sent.

    With no officer assigned, the institution's contact address is told instead, so that an
    alert is never silently dropped.
    """
    application = quarantined.application
    recipients: list[tuple[str, str]] = [
        (user.email, user.preferred_language or settings.LANGUAGE_CODE)
        for user in admissions_officers(application)
    ]
    if not recipients:
        contact = application.programme.institution.contact_email
        recipients = [(contact, settings.LANGUAGE_CODE)]
    context = {
        "application": application,
        "quarantined": quarantined,
        "site_url": settings.SITE_URL,
    }
    sent = 0
    for address, language in recipients:
        with translation.override(language):
            subject = render_to_string("documents/email/infected_subject.txt", context).strip()
            body = render_to_string("documents/email/infected_body.txt", context)
        sent += send_mail(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
    logger.warning(
        "infected upload quarantined: application %s, %s (%s)",
        application.reference,
        quarantined.requirement_code,
        quarantined.signature,
    )
    return sent
