"""How many messages of the admissions office the candidate has not read, for the file's menu."""

from __future__ import annotations

from django import template

from admissions.applications.models import Application
from admissions.workflow.messages import unread_by_candidate

register = template.Library()


@register.simple_tag
def unread_messages(application: Application) -> int:
    return unread_by_candidate(application)
