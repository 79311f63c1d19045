"""The rules' texts, made without pydantic's validation, are the same values as validated ones."""

import copy

import pytest
from pydantic import ValidationError

from admissions.rules.explain import concat, join, text
from admissions.rules.schema import Text


def test_a_text_made_by_the_rules_is_a_validated_text() -> None:
    made = text("licence", "licence degree")
    validated = Text(fr="licence", en="licence degree")
    assert isinstance(made, Text)
    assert made == validated
    assert hash(made) == hash(validated)
    assert made.model_dump() == validated.model_dump() == {"fr": "licence", "en": "licence degree"}
    assert made.model_dump_json() == validated.model_dump_json()
    assert made.model_fields_set == validated.model_fields_set
    assert made.get("en") == "licence degree"
    assert copy.deepcopy(made) == validated
    assert made.model_copy(update={"en": "other"}).en == "other"
    assert made.fr == "licence"
    with pytest.raises(ValidationError):
        made.fr = "autre"  # frozen, as every rules' value


def test_a_text_needs_both_languages() -> None:
    with pytest.raises(ValueError, match="both languages"):
        text("", "x")
    with pytest.raises(ValueError, match="both languages"):
        text("x", "")


def test_texts_join_and_concatenate() -> None:
    a, b, c = text("A", "A"), text("B", "B"), text("C", "C")
    assert join([a, b, c]) == Text(fr="A, B ou C", en="A, B or C")
    assert concat(a, b) == Text(fr="A B", en="A B")
