"""Security emails of an account: a log-in from a new device.

Written by the platform (not allauth), in the person's saved language, through the outbox
as an account email (sensitive: never shown on the staff's outbox page).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from admissions.notify.context import absolute, footer_of, language_of, speaking
from admissions.notify.kinds import ACCOUNT
from admissions.notify.models import Notification
from admissions.notify.outbox import enqueue
from admissions.notify.render import Rendered, tidy_text
from admissions.people.logins import LoginEvent
from admissions.people.models import User
from admissions.people.user_agents import browser_name

TEMPLATES = "notify/email/new_device"


def send_new_device_alert(user: User, event: LoginEvent) -> Notification:
    language = language_of(user)
    with speaking(language):
        context = {
            "language": language,
            "footer": footer_of(None),
            "email": user.email,
            "when": formats.date_format(timezone.localtime(event.at), "DATETIME_FORMAT"),
            "ip": event.ip or _("unknown"),
            "browser": browser_name(event.user_agent),
            "password_link": absolute(reverse("account_change_password")),
            "link": absolute(reverse("portal:logins")),
            "action": _("See my recent log-ins"),
        }
        subject = render_to_string(f"{TEMPLATES}/subject.txt", context).strip()
        context["subject"] = subject
        text = render_to_string(f"{TEMPLATES}/body.txt", context)
        html = render_to_string(f"{TEMPLATES}/body.html", context)
    return enqueue(
        ACCOUNT,
        event=f"new_device:{event.pk}",
        to=user.email,
        values={},
        recipient=user,
        language=language,
        rendered=Rendered(subject=subject, text=tidy_text(text), html=html),
    )


def on_new_device_login(sender: Any, user: User, event: LoginEvent, **kwargs: Any) -> None:
    send_new_device_alert(user, event)
