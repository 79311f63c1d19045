"""The staff home's sentences with a number and its counts per step, written in Python
(office/home_html.py): the same text as the template tags they replace, in both languages,
for every form of the number."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils.html import format_html_join
from django.utils.translation import override

from admissions.office.home_html import counts_html, listed_html, to_confirm_html

TO_CONFIRM = Template(
    "{% load i18n %}{% blocktranslate count counter=to_confirm %}{{ counter }} value of the "
    "rulebooks is to be confirmed by the school.{% plural %}{{ counter }} values of the "
    "rulebooks are to be confirmed by the school.{% endblocktranslate %}"
)
LISTED = Template(
    "{% load i18n ui %}{% if count > counted %}{% blocktranslate with counted=counted|grouped %}"
    "More than {{ counted }} submitted files.{% endblocktranslate %}{% else %}"
    "{% blocktranslate count counter=count %}{{ counter }} submitted file.{% plural %}"
    "{{ counter }} submitted files.{% endblocktranslate %}{% endif %}"
)
COUNTS = [0, 1, 2, 5, 21, 999, 1000, 1001, 12345, 1234567]


@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_sentences_are_the_template_s(language: str, grouping: bool) -> None:
    with override(language), override_settings(USE_THOUSAND_SEPARATOR=grouping):
        for count in COUNTS:
            expected = TO_CONFIRM.render(Context({"to_confirm": count}))
            assert to_confirm_html(count) == expected
            for counted in (5, 1000, 1234567):
                expected = LISTED.render(Context({"count": count, "counted": counted}))
                assert listed_html(count, counted) == expected


def test_the_sentences_say_the_number_in_the_reader_s_language() -> None:
    with override("fr"):
        assert listed_html(1, 1000) == "1 dossier soumis."
        assert listed_html(1001, 1000) == "Plus de 1\xa0000 dossiers soumis."
        assert to_confirm_html(2) == "2 valeurs des règlements sont à confirmer par l’école."
    with override("en"):
        assert listed_html(3, 1000) == "3 submitted files."
        assert listed_html(1001, 1000) == "More than 1,000 submitted files."


def test_the_counts_per_step_are_written_as_format_html_writes_them() -> None:
    per_programme = [
        ('Cybersécurité <&> "MS"', [0, 3, 1200, 7], 1210),
        ("Data", [], 0),
        ("Management d'équipe", [5], 5),
    ]
    expected = format_html_join(
        "\n  ",
        '<tr><th scope="row">{}</th>{}<td class="num">{}</td></tr>',
        (
            (name, format_html_join("", '<td class="num">{}</td>', ((n,) for n in numbers)), total)
            for name, numbers, total in per_programme
        ),
    )
    assert counts_html(per_programme) == expected
    assert counts_html([]) == ""
