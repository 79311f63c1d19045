"""Telling a candidate that staff opened a file for them, with a link to choose a password.

A new account has no usable password: the link is allauth's own password-reset link, so the
candidate goes through the same pages, token checks and rate limits as any reset.
"""

from __future__ import annotations

import logging
import smtplib

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from admissions.applications.models import Application

logger = logging.getLogger(__name__)


def send_new_file_notice(application: Application, *, account_created: bool, base_url: str) -> bool:
    """Mail the candidate in their language; False when the mail server refused it."""
    candidate = application.candidate
    language = candidate.preferred_language or settings.LANGUAGE_CODE
    root = base_url.rstrip("/")
    with translation.override(language):
        context = {
            "application": application,
            "account_created": account_created,
            "documents_url": root + reverse("documents:list", args=[application.reference]),
            "password_url": root + _password_path(application) if account_created else "",
            "login_url": root + reverse("account_login"),
        }
        subject = render_to_string("documents/email/new_file_subject.txt", context).strip()
        body = render_to_string("documents/email/new_file_body.txt", context)
    try:
        send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [candidate.email], fail_silently=False
        )
    except (smtplib.SMTPException, OSError):
        logger.exception("could not tell %s of file %s", candidate.email, application.reference)
        return False
    return True


def _password_path(application: Application) -> str:
    user = application.candidate
    return reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
