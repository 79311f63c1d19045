"""Country choices for forms, in the reader's language and in the order they expect."""

from __future__ import annotations

import unicodedata
from functools import cache

import pycountry
from django.utils.translation import get_language

from admissions.rules.countries import country_name


def _sort_key(name: str) -> str:
    # "Émirats arabes unis" belongs among the E, not after Z: compare without accents.
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@cache
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    named = [
        (str(country.alpha_2), country_name(str(country.alpha_2), language))
        for country in pycountry.countries
    ]
    return tuple(sorted(named, key=lambda item: _sort_key(item[1])))


def current_language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (alpha-2, localized name), sorted by name."""
    return list(_choices(current_language()))


def display_country(code: str) -> str:
    """The localized name of a stored code; the code itself if it is not (or no more) known."""
    if not code:
        return ""
    try:
        return country_name(code, current_language())
    except ValueError:
        return code
