"""Template helpers of the application pages."""

from __future__ import annotations

from django import template
from django.db.models import QuerySet
from django.utils.translation import get_language

from admissions.applications.models import Application
from admissions.applications.queries import my_applications
from admissions.rules.money import format_eur

register = template.Library()


@register.filter
def eur(cents: int | None) -> str:
    if cents is None:
        return ""
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    return format_eur(int(cents), language)


@register.simple_tag(takes_context=True)
def candidate_applications(context: template.Context) -> QuerySet[Application]:
    """The signed-in candidate's applications, for panels included on other pages."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return Application.objects.none()
    return my_applications(user)
