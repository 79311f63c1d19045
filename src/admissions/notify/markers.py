"""Rendering an email once with markers in place of its text values, then filling them in.

Emails of one kind that differ only by a few text values (the name, the reference, the
link) render the same around them. Rendered once with a marker in place of each such value,
the email is then filled by replacing the markers (escaped in the HTML part): a few string
replacements instead of three templates. A shared rendering is used only once filling it
with one email's values gave exactly that email rendered in full; a value the templates may
handle otherwise than by printing it (empty, surrounded by or holding runs of spaces or line
breaks, already marked safe, holding a marker) is never filled in.

`notify.bulk` shares renderings among the emails of one batch; `kept_render` keeps them in
the process for emails queued one by one (a draft's transfer email): keyed by everything
else the rendering reads (kind, language, footer, the institution's wording, the values
that stay), they hold only the platform's words and a footer, never a person's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.utils.html import escape

from admissions.notify.context import Footer
from admissions.notify.kinds import Kind
from admissions.notify.render import Rendered, Wording, render
from admissions.notify.restricted import Value

# Renderings kept in the process: a few per programme and language; the table is emptied
# when full (the next emails render them again).
KEPT = 256


def marker(index: int) -> str:
    # Letters and digits only: escaping, line breaks and spacing leave it as it is.
    return f"QzBulkValue{index}zQ"


def fillable(value: Value) -> bool:
    """A value the templates only print: a plain, non-empty string of single-spaced words."""
    return (
        type(value) is str
        and value != ""
        and " ".join(value.split()) == value
        and "QzBulkValue" not in value
    )


def fill(template: Rendered, markers: Mapping[str, str], values: Mapping[str, Value]) -> Rendered:
    subject, text, html = template.subject, template.text, template.html
    for key, mark in markers.items():
        value = str(values[key])
        subject = subject.replace(mark, value)
        text = text.replace(mark, value)
        html = html.replace(mark, escape(value))
    return Rendered(subject=subject, text=text, html=html)


_kept: dict[tuple[object, ...], Rendered | None] = {}
_UNSEEN = object()


def kept_render(
    kind: Kind,
    values: Mapping[str, Value],
    *,
    language: str,
    footer: Footer,
    wording: Wording | None,
    varying: Collection[str],
) -> Rendered:
    """`render(...)`, from a rendering kept in the process where `varying` values are all
    fillable; each shared rendering is checked once against a full one, and a kind whose
    check fails is rendered in full for those values every time."""
    names = sorted(key for key in varying if key in values)
    if not names or not all(fillable(values[key]) for key in names):
        return render(kind, values, language=language, footer=footer, wording=wording)
    stay = tuple(
        (key, tuple(value) if isinstance(value, list) else value)
        for key, value in sorted(values.items())
        if key not in names
    )
    key = (
        kind.code,
        language,
        footer.name,
        footer.short_name,
        tuple(footer.address),
        footer.phone,
        footer.email,
        footer.website,
        wording,
        tuple(names),
        stay,
    )
    markers = {name: marker(n) for n, name in enumerate(names)}
    # One look: another thread may empty the table between two.
    found = _kept.get(key, _UNSEEN)
    if isinstance(found, Rendered):
        return fill(found, markers, values)
    if found is None:
        return render(kind, values, language=language, footer=footer, wording=wording)
    template = render(
        kind, {**values, **markers}, language=language, footer=footer, wording=wording
    )
    full = render(kind, values, language=language, footer=footer, wording=wording)
    if len(_kept) >= KEPT:
        _kept.clear()
    _kept[key] = template if fill(template, markers, values) == full else None
    return full
