"""Names candidates read for the rules' identifiers."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from admissions.rules.vocabulary import InterviewMode, PaymentMethod

PAYMENT_METHOD_LABELS: dict[str, Promise] = {
    PaymentMethod.CARD: _("online by card"),
    PaymentMethod.BANK_TRANSFER: _("by bank transfer"),
    PaymentMethod.SEPA_DIRECT_DEBIT: _("by direct debit"),
}

TEACHING_LANGUAGE_LABELS: dict[str, Promise] = {
    "fr": _("Taught in French"),
    "en": _("Taught in English"),
}

INTERVIEW_MODE_LABELS: dict[str, Promise] = {
    InterviewMode.VIDEO: _("by video"),
    InterviewMode.PHONE: _("by phone"),
    InterviewMode.ON_SITE: _("on site"),
}
