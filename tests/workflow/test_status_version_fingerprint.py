"""The status page's version is digested from one value the database writes from the whole
row (`status_version.Fingerprint`): two rows that differ in any value never share it, values
gathered in a `Record` (one subquery's aggregates) among them."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db.models import (
    BigIntegerField,
    BinaryField,
    BooleanField,
    DateTimeField,
    F,
    IntegerField,
    JSONField,
    TextField,
    Value,
)

from admissions.people.models import User
from admissions.workflow.status_version import Fingerprint, Record

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)


def _text(value: str | None) -> Value:
    return Value(value, output_field=TextField())


# Each a row of values that a naive joining of the values would confuse with another one.
ROWS: list[list[Value]] = [
    [_text("a,b"), _text("c")],
    [_text("a"), _text("b,c")],
    [_text("a'"), _text("b")],
    [_text("a"), _text("'b")],
    [_text("a','b"), _text("")],
    [_text(""), _text("")],
    [_text(None), _text("")],
    [_text(""), _text(None)],
    [_text("NULL"), _text("")],
    [_text('a"'), _text("b")],
    [_text("a\\"), _text(",b")],
    [_text("(a"), _text(")")],
    [_text("1"), _text("")],
    [Value(1, output_field=IntegerField()), _text("")],
    [Value(10, output_field=IntegerField()), _text("")],
    [Value(None, output_field=IntegerField()), _text("")],
    [Value(10, output_field=BigIntegerField()), Value(None, output_field=IntegerField())],
    [Value(1, output_field=BigIntegerField()), Value(0, output_field=IntegerField())],
    [Value(True, output_field=BooleanField()), _text("")],
    [Value(False, output_field=BooleanField()), _text("")],
    [Value(MOMENT, output_field=DateTimeField()), _text("")],
    [Value(MOMENT + dt.timedelta(microseconds=1), output_field=DateTimeField()), _text("")],
    [Value({"a": 1}, output_field=JSONField()), _text("")],
    [Value({"a": 2}, output_field=JSONField()), _text("")],
    [_text("é"), _text("")],
    [_text("e"), _text("")],
]


def _fingerprint(values: list[Any]) -> Any:
    User.objects.get_or_create(email="fingerprint@example.org")
    found = User.objects.filter(email="fingerprint@example.org").values_list(
        Fingerprint(*values, F("email")), flat=True
    )
    return found.get()


def test_rows_that_differ_never_share_a_fingerprint() -> None:
    prints = [_plain(_fingerprint(row)) for row in ROWS]
    for (i, first), (j, second) in itertools.combinations(enumerate(prints), 2):
        # The query's columns keep their types: rows are compared column type by type.
        if _shape(ROWS[i]) == _shape(ROWS[j]):
            assert first != second, (ROWS[i], ROWS[j])


def _shape(row: list[Value]) -> tuple[type, ...]:
    return tuple(type(value.output_field) for value in row)


def _texts(*values: str | None) -> Record:
    return Record(*(_text(value) for value in values))


def _numbers(*values: int | None) -> Record:
    return Record(*(Value(value, output_field=IntegerField()) for value in values))


# No record at all: what a subquery gives for a file it does not apply to (off the list).
NO_RECORD = Value(None, output_field=BinaryField())
# Each group, rows of one query's shape (each record's values keep their types, as one
# subquery's do) that a naive joining of the values, or of the records, would confuse.
RECORD_ROWS: list[list[list[Any]]] = [
    [
        [_texts("a", "b"), _text("c")],
        [_texts("a,b", ""), _text("c")],
        [_texts("a", "b,c"), _text("")],
        [_texts("a", "b"), _text("c,")],
        [_texts("a", None), _text("")],
        [_texts("a", ""), _text("")],
        [_texts("a", "NULL"), _text("")],
        [_texts("a'", ""), _text("")],
        [_texts("a", "'"), _text("")],
        [_texts('a"', ""), _text("")],
        [_texts("a\\", ")"), _text("")],
        [_texts("(a", ")"), _text("")],
        [_texts(None, None), _text("")],
        [NO_RECORD, _text("")],
    ],
    [
        [_numbers(1, None)],
        [_numbers(None, 1)],
        [_numbers(1, 10)],
        [_numbers(11, 0)],
        [_numbers(110, None)],
        [_numbers(None, None)],
        [NO_RECORD],
    ],
]


def test_rows_with_records_that_differ_never_share_a_fingerprint() -> None:
    for group in RECORD_ROWS:
        prints = [_plain(_fingerprint(row)) for row in group]
        assert len(set(prints)) == len(group), group


def test_a_value_of_a_record_changes_the_fingerprint() -> None:
    row = [_texts("a", "b"), _text("c")]
    assert _fingerprint(row) == _fingerprint([_texts("a", "b"), _text("c")])
    assert _fingerprint(row) != _fingerprint([_texts("a", "B"), _text("c")])


def test_the_same_row_gives_the_same_fingerprint() -> None:
    for row in ROWS:
        assert _fingerprint(row) == _fingerprint(row)


def test_a_column_of_the_row_changes_it() -> None:
    before = _fingerprint([_text("x")])
    User.objects.filter(email="fingerprint@example.org").update(email="fingerprint2@example.org")
    User.objects.filter(email="fingerprint2@example.org").update(email="fingerprint@example.org")
    assert _fingerprint([_text("x")]) == before
    user = User.objects.get(email="fingerprint@example.org")
    row = [F("first_name"), F("is_active")]
    seen = _fingerprint(row)
    User.objects.filter(pk=user.pk).update(first_name="Amina")
    named = _fingerprint(row)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert len({_plain(seen), _plain(named), _plain(_fingerprint(row))}) == 3


def _plain(value: Any) -> Any:
    return value if isinstance(value, str) else bytes(value)
