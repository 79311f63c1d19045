"""The staff's list written from its rows: the text `json.dumps` writes for the page's schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder

from admissions.api.queue_json import page_json
from admissions.api.staff import QueuePageOut, QueueRowOut

# Any text a column may hold: quotes, backslashes, controls, accents, beyond the BMP.
TEXTS = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)
MOMENTS = st.datetimes(
    min_value=dt.datetime(1, 1, 1, 12),
    max_value=dt.datetime(9999, 12, 30),
    timezones=st.sampled_from([dt.UTC, ZoneInfo("Europe/Paris")]),
)
ROWS = st.tuples(
    st.integers(1, 10**9),
    TEXTS,
    st.sampled_from(["submitted", "complete", 'odd "status"', "é\\"]),
    st.none() | MOMENTS,
    MOMENTS,
    st.integers(1, 10),
    TEXTS,
    TEXTS,
    TEXTS | st.just(""),
    TEXTS | st.just(""),
    TEXTS,
)
LABELS = {
    "submitted": "Soumis",
    "complete": "Complet",
    'odd "status"': "a\tlabel\n",
    "é\\": "\U0001f600 ✓",
}
LINKS = st.fixed_dictionaries(
    {
        "next": st.none() | TEXTS,
        "previous": st.none() | TEXTS,
        "first": TEXTS,
        "last": TEXTS,
    }
)


def _by_schema(rows: list[tuple[Any, ...]], english: bool, links: dict[str, Any]) -> str:
    """The page as the schema's model writes it, through the API's encoder."""
    items = [
        QueueRowOut(
            reference=reference,
            status=status,
            status_label=LABELS[status],
            candidate=f"{first} {last}".strip() or email,
            email=email,
            programme=name_en if english else name_fr,
            programme_id=programme_id,
            submitted_at=submitted_at,
            status_changed_at=changed_at,
        )
        for (
            _pk,
            reference,
            status,
            submitted_at,
            changed_at,
            programme_id,
            name_fr,
            name_en,
            first,
            last,
            email,
        ) in rows
    ]
    page = QueuePageOut(items=items, **links)
    return json.dumps(page.model_dump(), cls=NinjaJSONEncoder)


@given(rows=st.lists(ROWS, max_size=8), english=st.booleans(), links=LINKS)
def test_the_page_is_written_as_its_schema_writes_it(
    rows: list[tuple[Any, ...]], english: bool, links: dict[str, Any]
) -> None:
    written = page_json(rows, labels=LABELS, english=english, links=links)
    assert written == _by_schema(rows, english, links)


def test_a_programme_and_a_status_met_again_are_written_alike() -> None:
    moment = dt.datetime(2026, 3, 29, 0, 59, 59, 999_999, tzinfo=dt.UTC)
    row = (1, "R-1", "submitted", moment, moment, 3, "Mastère", "Master", "Ann", "", "a@b.c")
    rows = [row, (*row[:5], 4, 'Le "MBA"', "The MBA", "", "", "b@c.d"), row]
    links = {"next": "/x?after=a%3Ab", "previous": None, "first": "/x", "last": "/x?last=1"}
    for english in (True, False):
        written = page_json(rows, labels=LABELS, english=english, links=links)
        assert written == _by_schema(rows, english, links)
        assert json.loads(written)["items"][0]["submitted_at"] == "2026-03-29T00:59:59.999Z"
