import pytest

from admissions.rules.countries import (
    EU_MEMBER_STATES,
    UnknownCountryError,
    country_code,
    country_name,
    is_country,
    is_eu,
    is_france,
)


def test_the_27_member_states() -> None:
    assert len(EU_MEMBER_STATES) == 27
    assert all(is_country(code) for code in EU_MEMBER_STATES)
    assert {"FR", "DE", "GR", "HR", "IE"} <= EU_MEMBER_STATES
    # Left the EU, never joined, or only in the EEA / Schengen area.
    assert not any(is_eu(code) for code in ("GB", "CH", "NO", "IS", "LI", "TR", "MA"))


def test_is_eu_reads_codes_loosely() -> None:
    assert is_eu("fr")
    assert is_eu(" de ")
    assert not is_eu("EL")  # the EU's own code for Greece is not ISO


def test_country_codes() -> None:
    assert country_code(" ma ") == "MA"
    for wrong in ("XX", "FRA", "", "F1", "EL", "UK"):
        with pytest.raises(UnknownCountryError) as caught:
            country_code(wrong)
        assert caught.value.code == "unknown_country"
        assert not is_country(wrong)


def test_france_includes_overseas() -> None:
    assert all(is_france(code) for code in ("FR", "RE", "GP", "MQ", "GF", "YT", "NC"))
    assert not is_france("BE")


def test_country_names_in_both_languages() -> None:
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("DE", "en") == "Germany"
    assert country_name("ma", "fr") == "Maroc"
    assert country_name("KR", "en") == "South Korea"
    with pytest.raises(UnknownCountryError):
        country_name("XX", "en")
