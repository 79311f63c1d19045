"""Countries as ISO 3166-1 alpha-2 codes: validation, the European Union, France overseas.

Membership of the European Union is data kept here rather than asked of a library, because it
changes by treaty, not by ISO release; Greece is "GR" in ISO although the EU writes "EL".
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT",  # Austria
        "BE",  # Belgium
        "BG",  # Bulgaria
        "CY",  # Cyprus
        "CZ",  # Czechia
        "DE",  # Germany
        "DK",  # Denmark
        "EE",  # Estonia
        "ES",  # Spain
        "FI",  # Finland
        "FR",  # France
        "GR",  # Greece
        "HR",  # Croatia
        "HU",  # Hungary
        "IE",  # Ireland
        "IT",  # Italy
        "LT",  # Lithuania
        "LU",  # Luxembourg
        "LV",  # Latvia
        "MT",  # Malta
        "NL",  # Netherlands
        "PL",  # Poland
        "PT",  # Portugal
        "RO",  # Romania
        "SE",  # Sweden
        "SI",  # Slovenia
        "SK",  # Slovakia
    }
)

# French departments and collectivities overseas have ISO codes of their own; a diploma from the
# Université de La Réunion is French and a candidate living in Guadeloupe lives in France.
FRANCE: frozenset[str] = frozenset(
    {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"}
)


class UnknownCountryError(ValueError):
    code = "unknown_country"

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(f"expected an ISO 3166-1 alpha-2 country code, got {value!r}")


def country_code(value: str) -> str:
    """The ISO alpha-2 code for `value` ("fr", " FR " -> "FR"), or UnknownCountryError."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 2 or not code.isalpha() or code not in _alpha_2_codes():
        raise UnknownCountryError(value)
    return code


def is_country(value: str) -> bool:
    try:
        country_code(value)
    except UnknownCountryError:
        return False
    return True


def is_eu(code: str) -> bool:
    return code.strip().upper() in EU_MEMBER_STATES


def is_france(code: str) -> bool:
    return code.strip().upper() in FRANCE


def country_name(code: str, language: str) -> str:
    """The country's common name in French or English ("DE" -> "Allemagne" / "Germany")."""
    country = pycountry.countries.get(alpha_2=country_code(code))
    if country is None:  # excluded by country_code
        raise UnknownCountryError(code)
    name = str(getattr(country, "common_name", country.name))
    if language.startswith("en"):
        return name
    return _french().gettext(name)


@cache
def _alpha_2_codes() -> frozenset[str]:
    return frozenset(str(country.alpha_2) for country in pycountry.countries)


@cache
def _french() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)
