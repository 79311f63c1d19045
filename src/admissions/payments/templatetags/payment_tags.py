"""Template filters for money: `{{ cents|eur }}`, `{{ reference|rf }}`, `{{ iban|iban }}`."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import get_language

from admissions.payments.models import CHARGE_LABELS, Method
from admissions.rules import creditor_reference
from admissions.rules.money import format_eur

register = template.Library()


@register.filter
def eur(cents: int | None) -> str:
    if cents is None:
        return ""
    return format_eur(int(cents), "en" if (get_language() or "fr").startswith("en") else "fr")


@register.filter
def rf(reference: str | None) -> str:
    """An RF reference in groups of four, whole; any other text as it was written."""
    if not reference:
        return ""
    if creditor_reference.is_valid(reference):
        return creditor_reference.printed(reference)
    return reference


@register.filter
def iban(value: str | None) -> str:
    text = (value or "").replace(" ", "")
    return " ".join(text[index : index + 4] for index in range(0, len(text), 4))


@register.filter
def charge_label(kind: str, instalment: int | None = None) -> str:
    label = str(CHARGE_LABELS.get(kind, kind))
    return f"{label} ({instalment})" if instalment else label


@register.filter
def method_label(method: str) -> str:
    return str(dict(Method.choices).get(method, method))


@register.filter
def iso_date(value: str | None) -> dt.date | dt.datetime | None:
    """A date or moment stored as ISO text in a frozen document."""
    if not value:
        return None
    if "T" in value:
        return dt.datetime.fromisoformat(value)
    return dt.date.fromisoformat(value)
