"""The rows of a list of files, prepared once per page for the template.

A `{% url %}` per row resolves the URL patterns again for each file and
`get_status_display` builds its choices for each; on a page of 50 files these were a
quarter of the page's time. The links are made from one reversed pattern, the labels from
one table. The texts a row shows are read here too: the template engine pays for each dot
of a lookup such as `application.candidate.display_name` (a failed `[]` first, then the
attribute), and for each filter, on every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application

# A reference never holds this, so it marks where the reference goes in a reversed link.
SLOT = "REFERENCE-SLOT"


def links_to(view_name: str) -> str:
    """The view's link with SLOT in place of the reference (to `str.replace`)."""
    return reverse(view_name, args=[SLOT])


# The columns a row is made of, for `.only(*SHOWN)` beside the `select_related` of the same
# relations: a page reads these, not each file's texts and each candidate's whole profile
# (whose dates alone were a tenth of the page's time to convert).
SHOWN = (
    "reference",
    "status",
    "submitted_at",
    "status_changed_at",
    "campaign_id",
    "programme__name_fr",
    "programme__name_en",
    "candidate__first_name",
    "candidate__last_name",
    "candidate__email",
    "candidate__profile__given_names",
    "candidate__profile__family_name",
)
RELATED = ("candidate", "candidate__profile", "programme")


@dataclass(frozen=True)
class FileRow:
    application: Application
    link: str
    payments_link: str
    status: str
    reference: str
    candidate: str
    programme: str
    # The date and time of submission in the reader's format, "—" for none.
    submitted: str


def file_rows(
    applications: Iterable[Application],
    finance_programmes: Collection[int] = (),
    *,
    dated: bool = True,
) -> list[FileRow]:
    """The rows of `applications`; without `dated`, for a list that does not show the date of
    submission, that date is left unwritten ("")."""
    file_link = links_to("office:file")
    payments_link = links_to("office:finance:file") if finance_programmes else ""
    labels = {status.value: str(status.label) for status in Status}
    moment = formats.get_format("SHORT_DATETIME_FORMAT")
    rows = []
    for application in applications:
        slot = quote(application.reference, safe="")
        rows.append(
            FileRow(
                application=application,
                link=file_link.replace(SLOT, slot),
                payments_link=(
                    payments_link.replace(SLOT, slot)
                    if application.programme_id in finance_programmes
                    else ""
                ),
                status=labels.get(application.status, application.status),
                reference=application.reference,
                candidate=application.candidate.display_name,
                programme=application.programme.name,
                submitted=_moment(application.submitted_at, moment) if dated else "",
            )
        )
    return rows


def _moment(value: dt.datetime | None, form: str) -> str:
    """As `{{ value|date:"SHORT_DATETIME_FORMAT"|default:"—" }}` writes it (`form` is the
    format in the reader's language, looked up once per page)."""
    if value is None:
        return "—"
    return dateformat.format(timezone.localtime(value), form)


# One row of the staff's home list; the arguments escaped by `format_html`.
ROW = '<tr><td><a href="{}">{}</a>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
PAYMENTS = ' · <a href="{}">{}<span class="visually-hidden"> {}</span></a>'


def rows_html(rows: Iterable[FileRow]) -> SafeString:
    """The body of the home's list, written here rather than by a template loop: the
    template engine spends about as much on the fifty rows' few hundred nodes as the rest of
    the page costs."""
    label = gettext("Payments")
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
            for row in rows
        ),
    )
