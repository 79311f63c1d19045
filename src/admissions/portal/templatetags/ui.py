"""Template tags of the shared layout (base.html and its includes)."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.template.base import FilterExpression, Node, NodeList, TextNode, Variable
from django.template.defaulttags import CsrfTokenNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import (
    NoReverseMatch,
    Resolver404,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
)
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override

register = template.Library()

# What a kept rendering (`KeptIncludeNode`) writes in place of what differs between requests,
# put in for each request: the CSRF token (a value escaping leaves as it is) and this page's
# address in each language.
TOKEN_SLOT = "KEPT-CSRF-TOKEN"  # noqa: S105 - a placeholder, not a secret
_KEPT = "kept_rendering"
# Kept renderings of one include, at most: a key holding a page's path grows with the pages.
KEPT_LIMIT = 256


def _url_slot(language: str) -> str:
    return f"KEPT-LANGUAGE-URL[{language}]"


@register.simple_tag(takes_context=True)
def language_url(context: template.Context, language: str) -> str:
    """This page's address in `language`, to go back to after switching.

    Computed while the page's own language is active: set_language cannot translate an
    address whose prefix differs from the language it reads from the cookie or browser.
    """
    if context.get(_KEPT):
        return _url_slot(language)
    request = context.get("request")
    if request is None:
        return "/"
    url: str = request.get_full_path()
    parsed = urlsplit(url)
    path = _translated_path(
        unquote(parsed.path), language, get_language(), get_script_prefix(), get_urlconf()
    )
    if path is None:
        return url
    return urlunsplit((parsed.scheme, parsed.netloc, path, parsed.query, parsed.fragment))


@functools.lru_cache(maxsize=KEPT_LIMIT)
def _translated_path(
    path: str, language: str, active: str | None, prefix: str, urlconf: object
) -> str | None:
    """What `translate_url` writes for the path `path` in `language`, or None where it leaves
    the address as it is; kept per path, the language active, the site's prefix and the URL
    configuration (which decide what the path resolves to), rather than resolving the
    page's path again on every page."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    with override(language):
        try:
            return reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return None


@register.filter
def reference(value: str) -> SafeString:
    """An application reference kept on one line: a phone would break it at its hyphens."""
    return format_html('<span class="reference">{}</span>', value)


def _constant(expression: FilterExpression) -> bool:
    """Whether a tag's argument is written in the template (a quoted string, no filter)."""
    var = expression.var
    literal = isinstance(var, str) or (isinstance(var, Variable) and var.literal is not None)
    return literal and not expression.filters


def _fixed(node: Node) -> bool:
    """Whether `node` writes the same for every request in one language and site prefix."""
    if isinstance(node, TextNode):
        return True
    if isinstance(node, TranslateNode):
        return (
            node.asvar is None
            and node.message_context is None
            and _constant(node.filter_expression)
        )
    if isinstance(node, URLNode):
        return (
            not node.args and not node.kwargs and node.asvar is None and _constant(node.view_name)
        )
    if isinstance(node, StaticNode):
        return node.varname is None and _constant(node.path)
    return False


_SITE = object()


def _site(context: template.Context) -> tuple[str, object]:
    """The site's prefix and URL configuration, read once per rendering: the handler sets
    them for each request, before any template renders, whereas the language may change
    within one (`{% language %}`) and is read at each node. Each read goes through a
    context-local variable (a dozen Python calls): nineteen blocks of the staff's home read
    them."""
    # The rendering's own dictionary, where `IncludeNode` keeps its templates.
    kept: dict[object, Any] = context.render_context.dicts[0]  # type: ignore[assignment]
    found: tuple[str, object] | None = kept.get(_SITE)
    if found is None:
        found = kept[_SITE] = (get_script_prefix(), get_urlconf())
    return found


class ConstantNode(Node):
    """Markup made of text, translations, links without arguments and static files only,
    written once per process for each language, site prefix and URL configuration."""

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.written: dict[tuple[str, object, str | None, bool], SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        key = (*_site(context), get_language(), context.autoescape)
        found = self.written.get(key)
        if found is None:
            found = self.written[key] = mark_safe(self.nodelist.render(context))  # noqa: S308 - the nodes escape as they would
        return found


@register.tag
def constant(parser: template.base.Parser, token: template.base.Token) -> ConstantNode:
    """`{% constant %}...{% endconstant %}`: the markup between, rendered once and kept (see
    `ConstantNode`); anything that could differ between requests is refused when the
    template is compiled."""
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    for node in nodelist:
        if not _fixed(node):
            raise template.TemplateSyntaxError(
                f"{{% constant %}} holds only text, translations, links without arguments "
                f"and static files, not {node!r}"
            )
    return ConstantNode(nodelist)


@register.filter(is_safe=True)
def grouped(value: int) -> str:
    """A whole number with its thousands grouped as the reader's language writes them (what
    humanize's `intcomma` gives: that app's tags and catalogues are not loaded for it)."""
    return number_format(int(value), use_l10n=True, force_grouping=True)


class KeptIncludeNode(Node):
    """An include rendered once per language, site prefix, URL configuration and values of
    its keys, and kept: what differs between requests is put in the kept markup for each
    request (`fill`). The included template reads nothing but its keys, the language,
    `{% csrf_token %}` and `{% language_url %}`.

    The language switch and the navigation were a third of the staff home's template: a
    loop, a dozen tags, and `translate_url` resolving the page's address again."""

    child_nodelists = ()

    def __init__(self, template_name: str, keys: list[FilterExpression]) -> None:
        self.template_name = template_name
        self.keys = keys
        self.written: dict[tuple[object, ...], str] = {}

    def _rendered(self, context: template.Context) -> str:
        # A node renders within its template, bound to the context (as `IncludeNode` reads it).
        assert context.template is not None
        included = context.template.engine.get_template(self.template_name)
        with context.push():
            return str(included.render(context))

    def render(self, context: template.Context) -> SafeString | str:
        if context.get("request") is None:
            return self._rendered(context)
        key = (
            *_site(context),
            get_language(),
            context.autoescape,
            *(expression.resolve(context) for expression in self.keys),
        )
        try:
            found = self.written.get(key)
        except TypeError:  # a key's value that cannot be kept
            return self._rendered(context)
        if found is None:
            with context.push({_KEPT: True, "csrf_token": TOKEN_SLOT}):
                found = self._rendered(context)
            if len(self.written) >= KEPT_LIMIT:
                self.written.clear()
            self.written[key] = found
        return mark_safe(fill(found, context))  # noqa: S308 - each value escaped as its tag does


_TOKEN_NODE = CsrfTokenNode()
_SLOT_INPUT = _TOKEN_NODE.render(template.Context({"csrf_token": TOKEN_SLOT}))


def fill(kept: str, context: template.Context) -> str:
    """`kept` with this request's CSRF token and addresses, each as its tag writes it."""
    if _SLOT_INPUT in kept:
        kept = kept.replace(_SLOT_INPUT, _TOKEN_NODE.render(context))
    if "KEPT-LANGUAGE-URL[" in kept:
        for code, _name in settings.LANGUAGES:
            slot = _url_slot(code)
            if slot in kept:
                url = language_url(context, code)
                kept = kept.replace(slot, conditional_escape(url) if context.autoescape else url)
    return kept


@register.tag
def kept_include(parser: template.base.Parser, token: template.base.Token) -> KeptIncludeNode:
    """`{% kept_include "name.html" key... %}`: the template included, kept per value of the
    keys (see `KeptIncludeNode`)."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("{% kept_include %} takes a quoted template name")
    return KeptIncludeNode(bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
