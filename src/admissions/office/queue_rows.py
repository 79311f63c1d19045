"""The queue's rows and its filter form's choices, written as HTML here rather than by
template loops.

A page of fifty files read as model instances built five objects per row (the file, its
candidate and profile, the programme, the reviewer), converting every column of each, and
the template then paid for each dot of its lookups and each filter on every row: together
most of the page's time. The rows are read here as tuples of the columns shown, and each
row and option written once with the markup the template had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from admissions.applications.lifecycle import status_labels
from admissions.applications.waiting import days_in_step, is_late
from admissions.office.file_rows import SLOT, _moment_writer, links_to

# What a row of the queue shows, read as one tuple (`values_list(*COLUMNS, named=True)`):
# "pk" and the order's column are read by the page's cursors. The programme's name comes
# from the reader's programmes, read for the filters: each relation more in this statement
# multiplied PostgreSQL's planning of it (17 ms at eight relations, 1 ms at six).
COLUMNS = (
    "pk",
    "reference",
    "status",
    "submitted_at",
    "status_changed_at",
    "sort_name",
    "campaign_id",
    "programme_id",
    "candidate__first_name",
    "candidate__last_name",
    "candidate__email",
    "candidate__profile__given_names",
    "candidate__profile__family_name",
    "assignment__reviewer__first_name",
    "assignment__reviewer__last_name",
    "assignment__reviewer__email",
    "assignment__reviewer__profile__given_names",
    "assignment__reviewer__profile__family_name",
)


def display_name(given: str | None, family: str | None, first: str, last: str, email: str) -> str:
    """`User.display_name` from the columns it reads: the profile's names (None without a
    profile), else the account's, else the address."""
    if given is not None or family is not None:
        name = f"{given} {family}".strip()
        if name:
            return name
    return f"{first} {last}".strip() or email


ROW = (
    '\n    <tr{}>\n      <td><input type="checkbox" name="file" value="{}" id="pick-{}">'
    '<label for="pick-{}"><span class="visually-hidden">{}</span></label></td>\n'
    '      <th scope="row"><a href="{}">{}</a></th>\n'
    "      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n"
    '      <td class="num">{}{}</td>\n      <td>{}</td>\n      <td>{}</td>\n    </tr>\n  '
)
OVER = ' <strong class="over">{}</strong>'


def rows_html(
    rows: Iterable[Any], programmes: dict[int, str], targets: dict[int, int], now: dt.datetime
) -> SafeString:
    """The body of the queue's table for `rows` read with COLUMNS: the link, the days in
    the step and whether that is over the campaign's target, the reviewer, the date;
    `programmes` names the reader's programmes by id."""
    file_link = links_to("office:file")
    labels = status_labels()
    submitted = _moment_writer(formats.get_format("SHORT_DATE_FORMAT"))
    select = gettext("Select %(reference)s")
    over = gettext("over %(target)s days")
    parts = []
    for row in rows:
        reference = escape(row.reference)
        days = days_in_step(row.status_changed_at, now)
        target = targets.get(row.campaign_id)
        late = is_late(row.status, days, target)
        reviewer = (
            "—"
            if row.assignment__reviewer__email is None
            else display_name(
                row.assignment__reviewer__profile__given_names,
                row.assignment__reviewer__profile__family_name,
                row.assignment__reviewer__first_name,
                row.assignment__reviewer__last_name,
                row.assignment__reviewer__email,
            )
        )
        candidate = display_name(
            row.candidate__profile__given_names,
            row.candidate__profile__family_name,
            row.candidate__first_name,
            row.candidate__last_name,
            row.candidate__email,
        )
        parts.append(
            ROW.format(
                ' class="late"' if late else "",
                row.pk,
                row.pk,
                row.pk,
                select % {"reference": reference},
                escape(file_link.replace(SLOT, quote(row.reference, safe=""))),
                reference,
                escape(candidate),
                escape(programmes[row.programme_id]),
                escape(labels.get(row.status, row.status)),
                days,
                OVER.format(over % {"target": target}) if late else "",
                escape(reviewer),
                submitted(row.submitted_at),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def options_html(choices: Iterable[Sequence[object]], chosen: object) -> SafeString:
    """`<option>`s of (value, label) pairs, the one equal to `chosen` selected, as the
    template's loop wrote them."""
    return mark_safe(  # noqa: S308 - values and labels are escaped
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )
