"""Turning a kind and its values into a subject, a text part and an HTML part.

An email is an institution's override when it has one for the kind and language (the
restricted syntax, `notify.restricted`), else the kind's three default templates
(`notify/email/<kind>/subject.txt`, `body.txt`, `body.html`). Either way the layout around
it, its button and its footer are the platform's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from admissions.catalog.models import Institution
from admissions.core.compiled import CompiledQuery
from admissions.notify.context import Footer, speaking
from admissions.notify.kinds import Kind
from admissions.notify.models import TemplateOverride
from admissions.notify.restricted import Value, render_html, render_line, render_text


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Wording:
    """An institution's own words for one email (a saved override, or one being previewed)."""

    subject: str
    body: str


# Looked for with every email an institution may word (each transfer-only draft's): the
# statement is compiled once per process.
_OVERRIDE = CompiledQuery(
    lambda institution, kind, language: (
        TemplateOverride.objects.filter(institution_id=institution, kind=kind, language=language)
        .order_by("pk")
        .values_list("subject", "body")[:1]
    ),
    -1,
    "\x00kind",
    "\x00language",
)


def override_for(institution: Institution | None, kind: Kind, language: str) -> Wording | None:
    if institution is None or not kind.overridable:
        return None
    found = _OVERRIDE.rows(institution.pk, kind.code, language)
    return Wording(*found[0]) if found else None


def render(
    kind: Kind,
    values: Mapping[str, Value],
    *,
    language: str,
    footer: Footer,
    wording: Wording | None = None,
) -> Rendered:
    with speaking(language):
        context: dict[str, object] = {
            **values,
            "action": str(kind.action),
            "footer": footer,
            "language": language,
        }
        if wording is not None:
            subject = render_line(wording.subject, values)
            context |= {
                "subject": subject,
                "body_text": render_text(wording.body, values),
                "body_html": mark_safe(render_html(wording.body, values, links=kind.links)),  # noqa: S308 - every value escaped by render_html
            }
            text = render_to_string("notify/email/override.txt", context)
            html = render_to_string("notify/email/override.html", context)
        else:
            folder = f"notify/email/{kind.code}"
            subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
            context["subject"] = subject
            text = render_to_string(f"{folder}/body.txt", context)
            html = render_to_string(f"{folder}/body.html", context)
        prefix = f"[{footer.short_name}] "
    return Rendered(subject=prefix + subject, text=tidy_text(text), html=html)


def tidy_text(text: str) -> str:
    """Templates leave blank runs and trailing spaces where tags stood."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    joined = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", joined) + "\n"
