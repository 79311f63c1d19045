"""The restricted syntax of the emails staff may edit: text, paragraphs and `{placeholders}`.

Staff texts never reach Django's template engine: no tags, no filters, no attribute
lookups, nothing that could read what it was not given. A text is checked against the
placeholders its email offers before it is saved, and a brace that opens no known
placeholder is refused with a sentence saying which.

Rendering: a blank line separates paragraphs; a list placeholder alone in its paragraph
becomes a bulleted list, inside a sentence its items are separated by semicolons; in the
HTML part, a link placeholder and any web address typed in the text become links.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from django.utils.html import escape, urlize
from django.utils.translation import gettext as _

Value = str | list[str]

NAME = re.compile(r"[a-z][a-z0-9_]*")
TOKEN = re.compile(r"\{([^{}\n]*)\}|[{}]")


def problems(text: str, allowed: Collection[str], *, single_line: bool = False) -> list[str]:
    """What is wrong with `text`, in sentences for the person who wrote it; [] when fine."""
    found: list[str] = []
    if single_line and ("\n" in text or "\r" in text):
        found.append(_("The subject must fit on one line."))
    for match in TOKEN.finditer(text):
        name = match.group(1)
        if name is None:
            found.append(
                _("A brace that opens or closes no placeholder (at character %(position)d).")
                % {"position": match.start() + 1}
            )
        elif not NAME.fullmatch(name):
            found.append(_("“{%(name)s}” is not a placeholder name.") % {"name": name})
        elif name not in allowed:
            found.append(
                _("Unknown placeholder {%(name)s}: this email offers %(allowed)s.")
                % {"name": name, "allowed": ", ".join(f"{{{n}}}" for n in sorted(allowed))}
            )
    return found


def _inline(value: Value) -> str:
    return "; ".join(value) if isinstance(value, list) else value


def render_text(text: str, values: Mapping[str, Value]) -> str:
    """The plain-text rendering; call only on a text `problems` accepted."""
    paragraphs = []
    for paragraph in _paragraphs(text):
        alone = _alone(paragraph)
        if alone is not None and isinstance(values.get(alone), list):
            paragraphs.append("\n".join(f"- {item}" for item in values[alone]))
            continue
        paragraphs.append(
            TOKEN.sub(lambda match: _inline(values.get(match.group(1) or "", "")), paragraph)
        )
    return "\n\n".join(paragraphs)


def render_line(text: str, values: Mapping[str, Value]) -> str:
    return " ".join(render_text(text, values).split())


def render_html(text: str, values: Mapping[str, Value], *, links: Collection[str] = ()) -> str:
    """The HTML rendering: every piece of text and every value escaped."""
    blocks = []
    for paragraph in _paragraphs(text):
        alone = _alone(paragraph)
        if alone is not None and isinstance(values.get(alone), list):
            items = "".join(f"<li>{escape(item)}</li>" for item in values[alone])
            blocks.append(f"<ul>{items}</ul>")
            continue
        pieces: list[str] = []
        position = 0
        for match in TOKEN.finditer(paragraph):
            pieces.append(_literal(paragraph[position : match.start()]))
            name = match.group(1) or ""
            value = _inline(values.get(name, ""))
            if name in links and value:
                pieces.append(f'<a href="{escape(value)}">{escape(value)}</a>')
            else:
                pieces.append(escape(value))
            position = match.end()
        pieces.append(_literal(paragraph[position:]))
        blocks.append(f"<p>{''.join(pieces)}</p>")
    return "\n".join(blocks)


def _literal(text: str) -> str:
    return str(urlize(text, autoescape=True)).replace("\n", "<br>\n")


def _paragraphs(text: str) -> list[str]:
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [part.strip() for part in re.split(r"\n\s*\n", normalised) if part.strip()]


def _alone(paragraph: str) -> str | None:
    match = TOKEN.fullmatch(paragraph.strip())
    return match.group(1) if match and match.group(1) else None
