from __future__ import annotations

from django.utils import translation

from admissions.people.countries import country_choices, display_country


def test_every_country_is_offered_once() -> None:
    codes = [code for code, _name in country_choices()]
    assert len(codes) == len(set(codes)) >= 249
    assert all(len(code) == 2 and code.isupper() for code in codes)


def test_names_follow_the_language() -> None:
    with translation.override("fr"):
        assert display_country("DE") == "Allemagne"
    with translation.override("en"):
        assert display_country("DE") == "Germany"


def test_french_order_ignores_accents() -> None:
    with translation.override("fr"):
        names = [name for _code, name in country_choices()]
    egypt, emirates, ecuador = (
        names.index("Égypte"),
        names.index("Émirats arabes unis"),
        names.index("Équateur"),
    )
    assert egypt < emirates < ecuador < names.index("Érythrée") < names.index("Espagne")
    assert names.index("Espagne") < names.index("Fidji")


def test_an_unknown_stored_code_is_shown_as_it_is() -> None:
    assert display_country("ZZ") == "ZZ"
    assert display_country("") == ""
