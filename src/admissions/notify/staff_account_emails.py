"""Security emails to an institution's administrators: its bank details changed.

Written by the platform in each administrator's saved language, through the outbox as an
account email (sensitive: shown on the outbox page to platform administrators only).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from admissions.catalog.models import Institution
from admissions.notify.context import absolute, footer_of, language_of, speaking
from admissions.notify.kinds import ACCOUNT
from admissions.notify.models import Notification
from admissions.notify.outbox import enqueue
from admissions.notify.render import Rendered, tidy_text
from admissions.people.bank_rights import BankDetailsChange
from admissions.people.models import User

TEMPLATES = "notify/email/bank_details_changed"


def send_bank_details_changed(
    admin: User, change: BankDetailsChange, *, institution: Institution, by: User
) -> Notification:
    language = language_of(admin)
    with speaking(language):
        context = {
            "language": language,
            "footer": footer_of(institution),
            "institution": institution.name,
            "by": f"{by.display_name} <{by.email}>",
            "when": formats.date_format(timezone.localtime(change.at), "DATETIME_FORMAT"),
            "old_iban": change.old_iban or "—",
            "new_iban": change.new_iban,
            "old_bic": change.old_bic or "—",
            "new_bic": change.new_bic,
            "link": absolute(reverse("office:bank_details", args=[institution.slug])),
            "action": _("See the bank details and their changes"),
        }
        subject = render_to_string(f"{TEMPLATES}/subject.txt", context).strip()
        context["subject"] = subject
        text = render_to_string(f"{TEMPLATES}/body.txt", context)
        html = render_to_string(f"{TEMPLATES}/body.html", context)
    return enqueue(
        ACCOUNT,
        event=f"bank_details_changed:{change.pk}",
        to=admin.email,
        values={},
        recipient=admin,
        language=language,
        institution=institution,
        rendered=Rendered(subject=subject, text=tidy_text(text), html=html),
    )
