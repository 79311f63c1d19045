"""A whole page rendered once per language, site and truth of its conditions, then written
for each request by joining the kept markup with that request's values.

The staff's home spent about 0.65 ms of CPU a page in the template engine (base.html's
blocks, its kept includes, the messages' and the footer's includes, the context
processors, the page's own nodes), for markup that changes only with the language, the
site's prefix, the page's path and which of its parts are shown. The page's template is
rendered with a marker in place of each value the view gives; the markup between the markers
is kept, and each request puts its own values in their places, written as `{{ value }}`
writes them. The templates stay the markup's only source.

What base.html writes per request is put in likewise: the CSRF token (the template is
rendered with a marker as its `csrf_token`) and the page's address in each language (the
template is rendered with a request whose query is a marker, and `{% language_url %}` is
written for each request by its own tag). A page with messages to show is rendered plainly.
The kept markup is keyed on everything else base.html reads: the language, the site's prefix
and URL configuration, the page's path, whether the reader is signed in and a staff member.
A template that reads anything else of the request, or of its reader than whether they are
signed in, is not kept (`_Requested`, `_Reader`): markup naming its reader must not be written
for another.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import Context, engines
from django.template.base import render_value_in_context
from django.urls import get_script_prefix, get_urlconf
from django.utils.encoding import escape_uri_path
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from admissions.core.csrf_tokens import token
from admissions.people.permissions import is_staff_member

# Letters only: escaping, quoting and `iri_to_uri` leave them as they are.
CSRF_MARKER = "KEPTPAGECSRFTOKEN"
QUERY_MARKER = "KEPTPAGEQUERY"
# Kept renderings of one template, at most: a key holds a page's path.
MOST = 256
# What each kind of slot is filled with: a value of the view, the CSRF token, an address.
VALUE, CSRF, LANGUAGE = "value", "csrf", "language"


def _value_marker(number: int) -> SafeString:
    return mark_safe(f"\x00kept-value-{number}\x00")  # noqa: S308 - a marker, replaced


class _Requested:
    """The request as the kept rendering's template sees it: its path, and its full path
    with the query as a marker (what `{% language_url %}` writes from). Any other attribute
    read is noted, and the page is then not kept."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.other_reads: list[str] = []

    def get_full_path(self, force_append_slash: bool = False) -> str:
        # `HttpRequest.get_full_path`, the query aside.
        slash = "/" if force_append_slash and not self.path.endswith("/") else ""
        return f"{escape_uri_path(self.path)}{slash}?{QUERY_MARKER}"

    def __getattr__(self, name: str) -> Any:
        self.other_reads.append(name)
        raise AttributeError(name)


class _Reader:
    """The signed-in person as the kept rendering's template sees them (`user`, `perms`):
    whether they are signed in, which the key holds. Any other read is noted, and the page is
    then not kept."""

    def __init__(self, signed_in: bool, reads: list[str], name: str) -> None:
        self._signed_in = signed_in
        self._reads = reads
        self._name = name

    @property
    def is_authenticated(self) -> bool:
        if self._name != "user":
            self._reads.append(f"{self._name}.is_authenticated")
        return self._signed_in

    def __getattr__(self, name: str) -> Any:
        self._reads.append(f"{self._name}.{name}")
        raise AttributeError(name)

    def __getitem__(self, key: object) -> Any:
        # The template engine looks a name up as a key first, then as an attribute: the
        # attribute's read is the one noted.
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        self._reads.append(f"{key!r} in {self._name}")
        return False

    def __bool__(self) -> bool:
        self._reads.append(f"{self._name} itself")
        return True


@dataclass(frozen=True, slots=True)
class _Kept:
    # The markup between the slots: one more than the slots.
    texts: tuple[str, ...]
    # Each slot's kind and what it is filled with (a value's name, a language's code).
    slots: tuple[tuple[str, str], ...]


# The language switch's address, written by its own tag for each request.
_ADDRESSES: dict[str, Any] = {}


def _address(code: str, request: object) -> str:
    """What `{% language_url code %}` writes (escaped) with `request` as the page's."""
    found = _ADDRESSES.get(code)
    if found is None:
        found = _ADDRESSES[code] = engines["django"].from_string(
            '{% load ui %}{% language_url "' + code + '" %}'
        )
    return str(found.render({"request": request}))


# The template (its compiled object: a new one when templates are loaded again) -> its key
# -> its kept markup, or None for a rendering that is not kept.
_kept: weakref.WeakKeyDictionary[Any, dict[tuple[object, ...], _Kept | None]] = (
    weakref.WeakKeyDictionary()
)
# `{{ value }}`'s writing of a value that is not already markup.
_WRITING = Context(autoescape=True)


def render_kept(
    request: HttpRequest,
    template_name: str,
    shown: Mapping[str, bool],
    values: Mapping[str, object],
) -> HttpResponse:
    """`render(request, template_name, {**shown, **values})`, from the markup kept for the
    truth of `shown` (the template's conditions: only those) and the page's path, language
    and site; `values` are written as `{{ value }}` writes them (the template writes each
    with no filter)."""
    if MOST == 0 or get_messages(request):
        return render(request, template_name, {**shown, **values})
    user = request.user
    template = engines["django"].get_template(template_name)
    kept = _kept.setdefault(template.template, {})  # type: ignore[attr-defined]
    key = (
        get_script_prefix(),
        get_urlconf(),
        get_language(),
        request.path,
        user.is_authenticated,
        is_staff_member(user),  # type: ignore[arg-type]
        *shown.items(),
        *values,
    )
    if key in kept:
        found = kept[key]
    else:
        if len(kept) >= MOST:
            kept.clear()
        found = kept[key] = _rendered(request, template, shown, values)
    if found is None:
        return render(request, template_name, {**shown, **values})
    return HttpResponse(_written(found, request, values))


def _rendered(
    request: HttpRequest, template: Any, shown: Mapping[str, bool], values: Mapping[str, object]
) -> _Kept | None:
    """The template rendered with markers, cut at them; None if it reads more of the request
    than its path."""
    requested = _Requested(request.path)
    user = getattr(request, "user", None)
    signed_in = user is not None and bool(user.is_authenticated)
    reads: list[str] = []
    readers = {name: _Reader(signed_in, reads, name) for name in ("user", "perms")}
    markers = {name: _value_marker(number) for number, name in enumerate(values)}
    page = str(
        template.render(
            {**shown, **markers, **readers, "request": requested, "csrf_token": CSRF_MARKER},
            request,
        )
    )
    slots: dict[str, tuple[str, str]] = {marker: (VALUE, name) for name, marker in markers.items()}
    slots[CSRF_MARKER] = (CSRF, "")
    for code, _name in settings.LANGUAGES:
        address = _address(code, requested)
        if QUERY_MARKER in address:
            slots[address] = (LANGUAGE, code)
    if requested.other_reads or reads:
        return None
    cut = re.compile("|".join(re.escape(marker) for marker in sorted(slots, key=len, reverse=True)))
    texts = cut.split(page)
    found = tuple(slots[marker] for marker in cut.findall(page))
    # A marker the template wrote otherwise (quoted, cut, changed by a filter) would leave a
    # part of itself, or the query's marker, in the markup kept.
    if any(QUERY_MARKER in text or "\x00" in text for text in texts):
        return None
    return _Kept(tuple(texts), found)


def _written(kept: _Kept, request: HttpRequest, values: Mapping[str, object]) -> str:
    filled: dict[tuple[str, str], str] = {}
    parts = [kept.texts[0]]
    for slot, text in zip(kept.slots, kept.texts[1:], strict=True):
        written = filled.get(slot)
        if written is None:
            kind, name = slot
            if kind == VALUE:
                value = values[name]
                if isinstance(value, SafeString):
                    written = value
                elif type(value) is str:
                    # What `{{ value }}` writes of a text: `escape`'s, without its wrappers.
                    written = escape(value)
                else:
                    written = str(render_value_in_context(value, _WRITING))
            elif kind == CSRF:
                written = str(conditional_escape(token(request)))
            else:
                written = _address(name, request)
            filled[slot] = written
        parts.append(written)
        parts.append(text)
    return "".join(parts)
