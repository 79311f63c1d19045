"""The notes finance staff type are bounded, with the reason told."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django import forms
from django.utils import translation

from admissions.office.finance.forms import (
    NOTE_MAX_LENGTH,
    DecisionForm,
    RefundRequestForm,
    ResolveForm,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def note_errors(form: forms.Form, field: str) -> list[str]:
    form.is_valid()
    return [str(error) for error in form.errors.get(field, [])]


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda data: ResolveForm(data, statuses=["kept"]), "note"),
        (lambda data: RefundRequestForm(data, lines=[("1", "Deposit")]), "reason"),
        (lambda data: DecisionForm(data), "note"),
    ],
)
def test_a_note_of_100000_characters_is_refused(make: object, field: str) -> None:
    too_long = make({field: "x" * 100_000})  # type: ignore[operator]
    assert note_errors(too_long, field) == [
        f"Ensure this value has at most {NOTE_MAX_LENGTH} characters (it has 100000)."
    ]
    within = make({field: "x" * NOTE_MAX_LENGTH})  # type: ignore[operator]
    assert note_errors(within, field) == []
