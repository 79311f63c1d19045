import pytest
from hypothesis import given
from hypothesis import strategies as st

from admissions.rules import creditor_reference as rf

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
bodies = st.text(alphabet=ALPHABET, min_size=1, max_size=21)


@pytest.mark.parametrize(
    ("body", "reference"),
    [
        ("539007547034", "RF18539007547034"),
        ("G72UUR", "RF45G72UUR"),
        ("2348231", "RF712348231"),
        ("18K5", "RF6518K5"),
    ],
)
def test_known_vectors(body: str, reference: str) -> None:
    assert rf.make(body) == reference
    assert rf.is_valid(reference)


def test_printed_and_compact_forms() -> None:
    assert rf.printed("RF18539007547034") == "RF18 5390 0754 7034"
    assert rf.compact("rf18 5390 0754 7034") == "RF18539007547034"
    assert rf.is_valid("RF18 5390 0754 7034")
    assert rf.is_valid("rf18539007547034")


@pytest.mark.parametrize(
    "reference",
    [
        "RF19539007547034",  # wrong check digits
        "RF18539007547035",  # altered body
        "RF18",  # no body
        "RF",
        "",
        "FR18539007547034",  # not an RF reference
        "RFAB539007547034",  # letters as check digits
        "RF18" + "1" * 22,  # body longer than 21
        "RF18-5390-0754",  # punctuation
    ],
)
def test_invalid_references(reference: str) -> None:
    assert not rf.is_valid(reference)


@pytest.mark.parametrize("body", ["", "A" * 22, "ABC-1", "é"])
def test_make_refuses_bad_bodies(body: str) -> None:
    with pytest.raises(rf.CreditorReferenceError):
        rf.make(body)


@given(bodies)
def test_every_made_reference_is_valid(body: str) -> None:
    reference = rf.make(body)
    assert rf.is_valid(reference)
    assert reference.endswith(body)
    assert rf.is_valid(rf.printed(reference))


@given(bodies, st.data())
def test_a_single_substituted_character_is_detected(body: str, data: st.DataObject) -> None:
    reference = rf.make(body)
    position = data.draw(st.integers(min_value=2, max_value=len(reference) - 1))
    # A digit for a digit, a letter for a letter: MOD 97-10 catches every such change (a
    # letter counts as two digits, so trading it for a digit shifts the whole number).
    digits = "0123456789"
    alphabet = digits if reference[position] in digits else ALPHABET[:26]
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != reference[position]))
    altered = reference[:position] + replacement + reference[position + 1 :]
    assert not rf.is_valid(altered)


# The platform's own references have digit bodies; MOD 97-10 catches every swap of two
# neighbouring digits (not of letters, which count as two digits each).
@given(st.text(alphabet="0123456789", min_size=2, max_size=21), st.data())
def test_swapping_two_neighbouring_digits_is_detected(body: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(body) - 2))
    swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
    if swapped == body:
        return
    reference = rf.make(body)
    assert not rf.is_valid(reference[:4] + swapped)


def test_found_in_free_text() -> None:
    text = "Virement frais de dossier rf18 5390 0754 7034 Dupont"
    assert rf.find_in(text)[0] == "RF18539007547034"
    assert rf.find_in("/RF712348231/") == ["RF712348231"]
    assert rf.find_in("no reference here") == []
    assert rf.find_in("RF19539007547034") == []


def test_every_valid_reading_is_offered_longest_first() -> None:
    readings = rf.find_in("RF712348231")
    assert readings[0] == "RF712348231"
    assert all(rf.is_valid(reading) for reading in readings)
