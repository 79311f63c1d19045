"""HTML templates to PDF with WeasyPrint, in the reader's language, offline."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


class _FetchRefusedError(Exception):
    pass


def _refuse(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    # Documents embed everything they show; nothing is fetched while rendering.
    raise _FetchRefusedError(url)


def render_pdf(template: str, context: dict[str, Any], *, language: str) -> bytes:
    import weasyprint

    with translation.override(language):
        html = render_to_string(template, {**context, "LANGUAGE_CODE": language})
    return bytes(weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf())
