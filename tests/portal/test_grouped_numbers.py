"""Counts on staff pages are grouped by thousands as humanize's `intcomma` groups them."""

from __future__ import annotations

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import engines
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from admissions.portal.templatetags.ui import grouped


@pytest.mark.parametrize("language", ["fr", "en"])
@given(value=st.integers(min_value=-(10**12), max_value=10**12))
def test_a_count_reads_as_intcomma_writes_it(language: str, value: int) -> None:
    with translation.override(language):
        assert grouped(value) == intcomma(value)


@pytest.mark.parametrize(
    ("language", "text"), [("fr", "12\N{NO-BREAK SPACE}345"), ("en", "12,345")]
)
def test_the_filter_in_a_template(language: str, text: str) -> None:
    template = engines["django"].from_string("{% load ui %}{{ count|grouped }}")
    with translation.override(language):
        assert template.render({"count": 12345}) == text
