"""The home's rows written from the columns read: what the row objects and `format_html` write."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.test import override_settings
from django.urls import get_script_prefix, reverse, set_script_prefix
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join

from admissions.office import file_rows
from admissions.office.file_rows import (
    COLUMNS,
    LIST_COLUMNS,
    PAYMENTS,
    ROW,
    WAITING_COLUMNS,
    _moment_writer,
    listed_rows,
    rows_html,
    waiting_rows_html,
)
from admissions.office.home_html import waiting_html

MOMENT = dt.datetime(2026, 3, 1, 23, 30, 15, 123456, tzinfo=dt.UTC)


def _row(**changed: Any) -> tuple[Any, ...]:
    """A row of `file_rows.COLUMNS`."""
    columns: dict[str, Any] = {
        "pk": 7,
        "submitted_at": MOMENT,
        "reference": "MS-2026-000007",
        "status": "submitted",
        "status_changed_at": MOMENT,
        "campaign_id": 1,
        "programme_id": 3,
        "name_fr": "Mastère Spécialisé « Données & IA »",
        "name_en": "Data & AI",
        "first_name": "Jean",
        "last_name": "Dupont",
        "email": "jean@example.org",
        "given_names": "Zoé <i>",
        "family_name": "O'Brien",
    }
    columns.update(changed)
    return tuple(columns.values())


def _read(rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The same rows as read with `columns`, some of COLUMNS."""
    kept = [COLUMNS.index(name) for name in columns]
    return [tuple(row[index] for index in kept) for row in rows]


ROWS = [
    _row(),
    # No profile: the account's names; none either: the address.
    _row(pk=8, reference="MS-2026-000008", given_names=None, family_name=None),
    _row(pk=9, given_names=None, family_name=None, first_name="", last_name=""),
    # A reference a link quotes, a status without a label, another programme, no date.
    _row(pk=10, reference="A&B/1 é", status="unknown", programme_id=4, submitted_at=None),
    _row(pk=11, programme_id=4, name_fr="Autre", name_en="Other"),
]


def _written_by_the_row_objects(rows: list[tuple[Any, ...]], finance: set[int]) -> str:
    """What `format_html` writes for each row of `listed_rows`, as the page did."""
    label = translation.gettext("Payments")
    return format_html_join(
        "\n",
        ROW,
        (
            (
                row.link,
                row.reference,
                format_html(PAYMENTS, row.payments_link, label, row.reference)
                if row.payments_link
                else "",
                row.candidate,
                row.programme,
                row.status,
                row.submitted,
            )
            for row in listed_rows(rows, finance)
        ),
    )


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("finance", [set(), {3}, {3, 4}])
def test_the_rows_are_those_the_row_objects_give(language: str, finance: set[int]) -> None:
    with translation.override(language):
        written = rows_html(_read(ROWS, LIST_COLUMNS), finance)
        assert written == _written_by_the_row_objects(ROWS, finance)
    assert "A%26B%2F1%20%C3%A9" in written
    assert "Zoé &lt;i&gt; O&#x27;Brien" in written
    assert ("/finance/" in written) == bool(finance)


@pytest.mark.parametrize(
    "form",
    [
        "d/m/Y H:i",
        "Y-m-d H:i",
        "m/d/Y",
        "{d}/m/Y H\\hi",
        "j M Y, H:i",
        "N j, Y, P",
        # A part alone, signs printf and `str.format` read, no part at all.
        "Y",
        "d%m {Y} %%s",
        "/ :",
    ],
)
@pytest.mark.parametrize(
    "moment",
    [
        MOMENT,
        dt.datetime(2026, 7, 14, 8, 5, tzinfo=ZoneInfo("America/New_York")),
        dt.datetime(999, 1, 2, 3, 4, tzinfo=dt.UTC),
        dt.datetime(5, 6, 7, 8, 9, tzinfo=dt.UTC),
        None,
    ],
)
@override_settings(TIME_ZONE="Europe/Paris")
def test_a_date_is_written_as_the_date_filter_writes_it(
    form: str, moment: dt.datetime | None
) -> None:
    # `{{ value|date:form|default:"—" }}`: the template gives the filter the local moment.
    expected = date_filter(moment and timezone.localtime(moment), form) or "—"
    assert _moment_writer(form)(moment) == expected


def test_a_naive_moment_is_refused_as_localtime_refuses_it() -> None:
    with pytest.raises(ValueError, match="naive"):
        _moment_writer("d/m/Y H:i")(dt.datetime(2026, 3, 1, 9, 30))


def test_a_link_is_reversed_once_per_language_and_prefix() -> None:
    prefix = get_script_prefix()
    try:
        for script in ("/", "/admissions/"):
            set_script_prefix(script)
            for language in ("fr", "en"):
                with translation.override(language):
                    for view in ("office:file", "office:finance:file"):
                        expected = reverse(view, args=[file_rows.SLOT])
                        assert file_rows.links_to(view) == expected
                        assert file_rows.links_to(view) == expected
    finally:
        set_script_prefix(prefix)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_waiting_rows_are_those_the_row_objects_give(language: str) -> None:
    # Waiting 0, 3 and 12 days, against targets of none, 0 (none set), 2 and 20 days.
    rows = [
        _row(pk=pk, campaign_id=campaign, status_changed_at=MOMENT - dt.timedelta(days=days))
        for pk, (campaign, days) in enumerate(
            [(1, 3), (2, 3), (3, 3), (4, 12), (9, 0), (3, 0)] + [(c, 12) for c in (1, 2, 3)]
        )
    ] + ROWS
    targets = {2: 0, 3: 2, 4: 20}
    now = MOMENT + dt.timedelta(hours=5)
    with translation.override(language):
        written = waiting_rows_html(_read(rows, WAITING_COLUMNS), targets, now)
        assert written == waiting_html(
            (row, (now - row.status_changed_at).days, targets.get(row.campaign_id))
            for row in listed_rows(rows, dated=False)
        )
    assert written.count(' class="late"') == 2
    assert "A%26B%2F1%20%C3%A9" in written
    assert "Zoé &lt;i&gt; O&#x27;Brien" in written
