"""Template filters of the candidate's pages."""

from __future__ import annotations

from django import template

from admissions.people.countries import display_country
from admissions.portal.labels import PAYMENT_METHOD_LABELS, TRACK_LABELS

register = template.Library()


@register.filter
def track_label(value: str) -> str:
    return str(TRACK_LABELS.get(str(value), value))


@register.filter
def payment_method_label(value: str) -> str:
    return str(PAYMENT_METHOD_LABELS.get(str(value), value))


@register.filter
def country(code: str) -> str:
    return display_country(str(code or ""))
