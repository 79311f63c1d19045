"""The staff's list of files as `staff.QueuePageOut`'s JSON, written from the rows read.

`json.dumps` of a dictionary per row made fifty dictionaries a page and walked each again
to write it. The text here is what `json.dumps` writes for those dictionaries (its
separators, its ASCII escapes by the same C function, the fields in the schema's order),
put together from pieces: a status with its label and a programme with its id are escaped
once per page, not once per row, and the dates are written as the API writes them
(`core.iso_moments`), which needs no escape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring_ascii
from typing import Any

from admissions.core.iso_moments import json_moment


def _link(value: str | None) -> str:
    return "null" if value is None else encode_basestring_ascii(value)


def page_json(
    rows: Sequence[Sequence[Any]],
    *,
    labels: Mapping[str, str],
    english: bool,
    links: Mapping[str, str | None],
) -> str:
    """The page of `rows` (the columns of `staff_queue.COLUMNS`), each status with its label
    in `labels`, the programmes' English names if `english`, and the page's `links` (next,
    previous, first, last)."""
    text, moment = encode_basestring_ascii, json_moment
    statuses: dict[str, str] = {}
    programmes: dict[tuple[int, str], str] = {}
    items = []
    for (
        _pk,
        reference,
        status,
        submitted_at,
        status_changed_at,
        programme_id,
        name_fr,
        name_en,
        first_name,
        last_name,
        email,
    ) in rows:
        status_text = statuses.get(status)
        if status_text is None:
            status_text = statuses[status] = (
                f'"status": {text(status)}, "status_label": {text(labels[status])}'
            )
        name = name_en if english else name_fr
        programme_text = programmes.get((programme_id, name))
        if programme_text is None:
            programme_text = programmes[programme_id, name] = (
                f'"programme": {text(name)}, "programme_id": {int(programme_id)}'
            )
        candidate = f"{first_name} {last_name}".strip() or email
        submitted = "null" if submitted_at is None else f'"{moment(submitted_at)}"'
        items.append(
            f'{{"reference": {text(reference)}, {status_text}, '
            f'"candidate": {text(candidate)}, "email": {text(email)}, {programme_text}, '
            f'"submitted_at": {submitted}, "status_changed_at": "{moment(status_changed_at)}"}}'
        )
    return (
        f'{{"items": [{", ".join(items)}], "next": {_link(links["next"])}, '
        f'"previous": {_link(links["previous"])}, "first": {_link(links["first"])}, '
        f'"last": {_link(links["last"])}}}'
    )
