"""Template tags of the shared layout (base.html and its includes)."""

from __future__ import annotations

from django import template
from django.template.base import FilterExpression, Node, NodeList, TextNode, Variable
from django.template.defaulttags import URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf, translate_url
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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


class ConstantNode(Node):
    """Markup made of text, translations, links without arguments and static files only,
    written once per process for each language, site prefix and URL configuration."""

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self.written: dict[tuple[str, str | None, object, bool], SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        key = (get_script_prefix(), get_language(), get_urlconf(), context.autoescape)
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
