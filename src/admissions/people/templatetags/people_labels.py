"""Template filters for what the people app records."""

from __future__ import annotations

from django import template

from admissions.people.user_agents import browser_name

register = template.Library()


@register.filter
def browser(user_agent: str) -> str:
    return browser_name(user_agent or "")
