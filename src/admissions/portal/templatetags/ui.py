"""Template tags of the shared layout (base.html and its includes)."""

from __future__ import annotations

from django import template
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context: template.Context, language: str) -> str:
    """This page's address in `language`, to go back to after switching.

    Computed while the page's own language is active: set_language cannot translate an
    address whose prefix differs from the language it reads from the cookie or browser.
    """
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)


@register.filter
def reference(value: str) -> SafeString:
    """An application reference kept on one line: a phone would break it at its hyphens."""
    return format_html('<span class="reference">{}</span>', value)


@register.filter(is_safe=True)
def grouped(value: int) -> str:
    """A whole number with its thousands grouped as the reader's language writes them (what
    humanize's `intcomma` gives: that app's tags and catalogues are not loaded for it)."""
    return number_format(int(value), use_l10n=True, force_grouping=True)
