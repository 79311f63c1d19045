"""Whether the log-in page offers staff the way in through their institution."""

from __future__ import annotations

from django import template
from django.conf import settings

from admissions.people.identity_providers import IdentityProvider

register = template.Library()


@register.simple_tag
def institution_log_in_offered() -> bool:
    if not settings.SAML_SP_KEY or not settings.SAML_SP_CERTIFICATE:
        return False
    return IdentityProvider.objects.filter(enabled=True).exists()
