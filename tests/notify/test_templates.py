"""Every email's three templates, in both languages, and the restricted syntax of overrides."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real
from pytest_django.fixtures import Settings

from admissions.catalog.models import Campaign
from admissions.notify.context import footer_of, speaking
from admissions.notify.kinds import ACCOUNT, KINDS, PLACEHOLDERS
from admissions.notify.render import render
from admissions.notify.restricted import problems, render_html, render_text

INVALID = "<<MISSING %s>>"


@pytest.fixture
def strict_templates(settings: Settings) -> None:
    """A template variable that is not in the context shows instead of vanishing."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = INVALID
    settings.TEMPLATES = templates


def in_french(words: Promise) -> bool:
    """Whether the French catalogue holds these words (they were marked for translation)."""
    with translation.override("en"):
        msgid = str(words)  # the English catalogue leaves every message as written
    return msgid in trans_real.translation("fr")._catalog


def test_every_label_button_and_placeholder_is_translated() -> None:
    for kind in [*KINDS.values(), ACCOUNT]:
        assert in_french(kind.label), kind.label
        assert in_french(kind.action), kind.action
    for placeholder in PLACEHOLDERS.values():
        assert in_french(placeholder.label), placeholder.label


def test_every_placeholder_a_kind_names_exists() -> None:
    for kind in KINDS.values():
        assert set(kind.placeholders) <= set(PLACEHOLDERS), kind.code
        assert "link" in kind.placeholders


@pytest.mark.usefixtures("strict_templates")
@pytest.mark.parametrize("code", sorted(KINDS))
def test_each_email_renders_in_french_and_english_from_its_placeholders(
    code: str, nord: Campaign
) -> None:
    kind = KINDS[code]
    footer = footer_of(nord.institution)
    rendered = {}
    for language in ("fr", "en"):
        with speaking(language):
            values = kind.samples()
        rendered[language] = render(kind, values, language=language, footer=footer)
    for language, email in rendered.items():
        for part in (email.subject, email.text, email.html):
            assert "MISSING" not in part, (language, part)
        assert email.subject.startswith("[IMT Nord Europe] ")
        assert "\n" not in email.subject
        # The footer: the institution, its address, its phone and its contact.
        for part in (email.text, email.html):
            assert "IMT Nord Europe" in part
            assert "59653 Villeneuve d'Ascq Cedex" in part.replace("&#x27;", "'")
            assert "masteres.specialises@imt-nord-europe.fr" in part
            assert "https://admissions.example.org/me/applications/NE-2024-000123/" in part
        assert f'<html lang="{language}">' in email.html
    # The French email is French, not the English one untranslated.
    assert rendered["fr"].subject != rendered["en"].subject
    assert rendered["fr"].text.split("\n")[0] != rendered["en"].text.split("\n")[0]
    greeting = {"fr": "Bonjour", "en": "Hello"}
    for language, email in rendered.items():
        assert greeting[language] in email.text


def test_a_text_with_known_placeholders_is_accepted() -> None:
    assert problems("Bonjour {candidate_name}, votre dossier {reference}.", FILE) == []


FILE = ("candidate_name", "reference", "programme", "institution", "link")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Votre note : {score}", "Unknown placeholder {score}"),
        ("Bonjour {Candidate Name}", "is not a placeholder name"),
        ("Bonjour {candidate_name", "A brace that opens or closes no placeholder"),
        ("{{reference}}", "A brace that opens or closes no placeholder"),
        ("{application.candidate.password}", "is not a placeholder name"),
        ("{% if reference %}", "is not a placeholder name"),
    ],
)
def test_an_unknown_placeholder_or_a_stray_brace_is_refused(text: str, expected: str) -> None:
    with translation.override("en"):
        found = problems(text, FILE)
    assert any(expected in problem for problem in found), found


def test_a_subject_on_two_lines_is_refused() -> None:
    assert problems("Dossier {reference}\nsuite", FILE, single_line=True)


def test_values_are_escaped_and_lists_become_lists() -> None:
    values = {
        "candidate_name": "<script>alert(1)</script>",
        "documents": ["CV : cv.pdf", "Lettre <b>"],
        "link": "https://admissions.example.org/x?a=1&b=2",
    }
    body = "Bonjour {candidate_name},\n\n{documents}\n\nVoir {link} ou https://example.org/aide."
    html = render_html(body, values, links={"link"})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<ul><li>CV : cv.pdf</li><li>Lettre &lt;b&gt;</li></ul>" in html
    assert '<a href="https://admissions.example.org/x?a=1&amp;b=2">' in html
    assert '<a href="https://example.org/aide"' in html
    text = render_text(body, values)
    assert "- CV : cv.pdf\n- Lettre <b>" in text
