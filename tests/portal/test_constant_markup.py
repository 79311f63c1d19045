"""`{% constant %}`: markup that is the same for every request in one language, written once."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import set_script_prefix
from django.utils import translation

BLOCK = (
    "{% load i18n static ui %}{% constant %}<a href=\"{% url 'privacy:notice' %}\">"
    '{% translate "Privacy notice" %}</a>'
    "<link href=\"{% static 'admissions/css/site.css' %}\">{% endconstant %}"
)


def test_each_language_gets_its_own_words_and_links() -> None:
    page = Template(BLOCK)
    with translation.override("fr"):
        french = page.render(Context())
    with translation.override("en"):
        english = page.render(Context())
    with translation.override("fr"):
        assert page.render(Context()) == french
    # French is the site's language without a prefix.
    assert 'href="/privacy/"' in french
    assert 'href="/en/privacy/"' in english
    assert "Privacy notice" in english
    assert "Privacy notice" not in french
    assert "admissions/css/site.css" in english


def test_kept_markup_is_what_the_tags_write_each_time() -> None:
    with translation.override("en"):
        kept = Template(BLOCK).render(Context())
        plain = Template(BLOCK.replace("{% constant %}", "").replace("{% endconstant %}", ""))
        assert kept == plain.render(Context())


def test_the_first_rendering_is_the_one_kept() -> None:
    page = Template("{% load ui %}{% constant %}<p>{% endconstant %}")
    node = page.nodelist[-1]
    assert page.render(Context()) == "<p>"
    assert len(node.written) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user }}",
        "{% translate greeting %}",
        '{% translate "Hello" as said %}',
        '{% translate "Hello"|upper %}',
        "{% url 'office:file' reference %}",
        "{% url 'privacy:notice' as link %}",
        "{% static path %}",
        "{% csrf_token %}",
        "{% if user.is_authenticated %}x{% endif %}",
    ],
)
def test_anything_that_may_differ_between_requests_is_refused(inside: str) -> None:
    with pytest.raises(TemplateSyntaxError, match="constant"):
        Template("{% load i18n static ui %}{% constant %}" + inside + "{% endconstant %}")


def test_a_language_changed_within_a_rendering_gets_its_own_markup() -> None:
    page = Template(
        "{% load i18n ui %}{% for code in codes %}{% language code %}{% constant %}"
        '<a href="{% url \'privacy:notice\' %}">{% translate "Privacy notice" %}</a>|'
        "{% endconstant %}{% endlanguage %}{% endfor %}"
    )
    written = page.render(Context({"codes": ["fr", "en", "fr"]})).split("|")
    assert written[0] == written[2] != written[1]
    assert 'href="/privacy/"' in written[0]
    assert 'href="/en/privacy/">Privacy notice' in written[1]


def test_each_site_prefix_gets_its_own_links() -> None:
    page = Template(BLOCK)
    try:
        with translation.override("en"):
            set_script_prefix("/admissions/")
            under = page.render(Context())
            set_script_prefix("/")
            at_root = page.render(Context())
    finally:
        set_script_prefix("/")
    assert 'href="/admissions/en/privacy/"' in under
    assert 'href="/en/privacy/"' in at_root
