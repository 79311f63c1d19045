"""Template filters of the candidate's pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from admissions.applications.choices import TRACK_LABELS
from admissions.people.countries import display_country
from admissions.portal.labels import (
    INTERVIEW_MODE_LABELS,
    PAYMENT_METHOD_LABELS,
    TEACHING_LANGUAGE_LABELS,
)
from admissions.rules.schema import Text

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


@register.filter
def in_language(value: Text | None) -> str:
    """A rulebook text in the reader's language."""
    if value is None:
        return ""
    return value.get(get_language() or "fr")


@register.filter
def teaching_language(code: str) -> str:
    return str(TEACHING_LANGUAGE_LABELS.get(str(code), code))


@register.filter
def interview_mode(code: str) -> str:
    return str(INTERVIEW_MODE_LABELS.get(str(code), code))
