"""Account emails (verification, password reset, email change) through the outbox.

allauth writes the words (its templates, with the platform's own greeting in
`templates/account/email/`); this adapter sends them like every other email: queued in the
database, retried while the mail server is away, in the person's saved language, with an
HTML part in the platform's layout, and listed on the staff outbox page. A sign-up or a
password reset therefore never fails because the mail server does.
"""

from __future__ import annotations

import uuid
from typing import Any

from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.template.loader import render_to_string
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe

from admissions.notify.context import current_language, footer_of, language_of, speaking
from admissions.notify.kinds import ACCOUNT
from admissions.notify.models import Notification
from admissions.notify.outbox import enqueue
from admissions.notify.render import Rendered, tidy_text
from admissions.people.adapters import AccountAdapter as PeopleAccountAdapter
from admissions.people.models import User


def account_email(
    *, template: str, to: str, subject: str, body: str, user: User | None, language: str
) -> Notification:
    """Queue an account email whose subject and text allauth rendered."""
    footer = footer_of(None)
    with speaking(language):
        paragraphs = [part.strip() for part in body.strip().split("\n\n") if part.strip()]
        html_body = "\n".join(
            "<p>{}</p>".format(str(urlize(escape(part), autoescape=False)).replace("\n", "<br>"))
            for part in paragraphs
        )
        context = {
            "subject": subject,
            "title": subject.removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX),
            "footer": footer,
            "language": language,
            "body_html": mark_safe(html_body),  # noqa: S308 - escaped just above
        }
        html = render_to_string("notify/email/account.html", context)
        text = body.strip() + "\n\n" + render_to_string("notify/email/_footer.txt", context)
    return enqueue(
        ACCOUNT,
        event=f"{template.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
        to=to,
        values={},
        recipient=user,
        language=language,
        rendered=Rendered(subject=subject, text=tidy_text(text), html=html),
    )


class AccountAdapter(PeopleAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        found = context.get("user")
        user = (
            found if isinstance(found, User) else User.objects.filter(email__iexact=email).first()
        )
        language = language_of(user) if user is not None else current_language()
        full = {"request": request, "email": email, "current_site": get_current_site(request)}
        full.update(context)
        with speaking(language):
            message = self.render_mail(template_prefix, email, full)
        account_email(
            template=template_prefix,
            to=email,
            subject=str(message.subject),
            body=str(message.body),
            user=user,
            language=language,
        )
