"""Hostile values for form fields: what a browser, a script or a hurried user may send."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F)
UNICODE = st.characters(blacklist_categories=("Cs",))

# Text of every kind: ordinary, any code point, control characters, right-to-left marks,
# a null byte, and lengths far past any field's limit.
TEXT = st.one_of(
    st.text(UNICODE, max_size=40),
    st.text(CONTROL, min_size=1, max_size=10),
    st.sampled_from(["", " ", "\x00", "\u202e\u200b", "é" * 3, "<script>", "' OR 1=1 --"]),
    st.integers(min_value=2_000, max_value=300_000).map(lambda n: "é" * n),
)

NUMBER = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e400", "-0", "12,50", "1 000", "٣", "0x10", "1_000", "9" * 400]),
)

DATE = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.dates().map(lambda day: day.strftime("%d/%m/%Y")),
    st.sampled_from(["2024-02-30", "0000-00-00", "99999-01-01", "31/12/99999", "2024-13-01"]),
)

DATETIME = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda moment: moment.isoformat(timespec="minutes")
    ),
    DATE,
)

UPLOAD = st.builds(
    SimpleUploadedFile,
    st.one_of(st.just("file.pdf"), st.text(UNICODE, min_size=1, max_size=60)),
    st.binary(max_size=4096),
)


def _choices(field: forms.ChoiceField) -> list[str]:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # a group of choices
            values.extend(str(inner) for inner, _label in label)
        else:
            values.append(str(value))
    return values


def _model_choices(field: forms.ModelChoiceField) -> list[str]:  # type: ignore[type-arg]
    return [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:20]]


def value_for(field: forms.Field) -> st.SearchStrategy[object]:
    """Values for one field: mostly plausible ones, mixed with anything at all."""
    if isinstance(field, forms.FileField):
        return st.one_of(UPLOAD, st.just(""))
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(st.one_of(st.sampled_from(_model_choices(field) or ["1"]), TEXT))
    if isinstance(field, forms.ModelChoiceField):
        return st.one_of(st.sampled_from(_model_choices(field) or ["1"]), NUMBER, TEXT)
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(st.one_of(st.sampled_from(_choices(field) or [""]), TEXT), max_size=4)
    if isinstance(field, forms.ChoiceField):
        return st.one_of(st.sampled_from(_choices(field) or [""]), TEXT)
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "", "true", "false", "0"]), TEXT)
    if isinstance(field, forms.DateTimeField):
        return st.one_of(DATETIME, TEXT)
    if isinstance(field, forms.DateField):
        return st.one_of(DATE, TEXT)
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return st.one_of(NUMBER, TEXT)
    return st.one_of(TEXT, NUMBER, DATE)
