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
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from operator import attrgetter
from typing import Any
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from admissions.applications.lifecycle import status_labels
from admissions.applications.models import Application

# A reference never holds this, so it marks where the reference goes in a reversed link.
SLOT = "REFERENCE-SLOT"


# (site prefix, language, URL configuration, view) -> the view's link with SLOT.
_links: dict[tuple[str, str | None, object, str], str] = {}


def links_to(view_name: str) -> str:
    """The view's link with SLOT in place of the reference (to `str.replace`), reversed once
    per site prefix, language and URL configuration: two or three `reverse` a page, each
    as dear as ten rows."""
    key = (get_script_prefix(), get_language(), get_urlconf(), view_name)
    found = _links.get(key)
    if found is None:
        if len(_links) >= 256:
            _links.clear()
        found = _links[key] = reverse(view_name, args=[SLOT])
    return found


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
    labels = status_labels()
    moment = _moment_writer(formats.get_format("SHORT_DATETIME_FORMAT"))
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
                submitted=moment(application.submitted_at) if dated else "",
            )
        )
    return rows


# The numeric parts of Django's date formats that a row's date may use: the moment's
# attribute and its printf conversion, as `dateformat` writes them ("%02d", the year "%04d");
# a format with any other letter goes through `dateformat`.
_NUMERIC = {
    "d": ("day", "%02d"),
    "m": ("month", "%02d"),
    "Y": ("year", "%04d"),
    "H": ("hour", "%02d"),
    "i": ("minute", "%02d"),
}


def _direct(form: str) -> bool:
    """Whether `form` is written by `_moment_writer`'s own formatting (numeric parts only)."""
    return not any((char.isalpha() and char not in _NUMERIC) or char == "\\" for char in form)


def _moment_writer(form: str) -> Callable[[dt.datetime | None], str]:
    """What `{{ value|date:form|default:"—" }}` writes, for `form` the format in the reader's
    language, looked up once per page. The platform's short format ("d/m/Y H:i") is written
    directly, by one printf-style `%` of the local moment's parts, read together by an
    `attrgetter`: `dateformat` parses its format again for each date (a tenth of a page of
    fifty rows), and `strftime` or `str.format` with a format spec per part cost twice as
    much (3 us a date against 1.4)."""
    direct = _direct(form)
    pattern = "".join(
        _NUMERIC[char][1] if char in _NUMERIC else char.replace("%", "%%") for char in form
    )
    names = [_NUMERIC[char][0] for char in form if char in _NUMERIC]
    # `attrgetter` of one name gives the value, of several a tuple: `%` takes either.
    parts = attrgetter(*names) if names else None
    zone = timezone.get_current_timezone()

    def write(value: dt.datetime | None) -> str:
        if value is None:
            return "—"
        # `localtime` checks that the moment is aware first; a moment read is, but for one
        # that is not its error is kept.
        local = (
            value.astimezone(zone) if value.tzinfo is not None else timezone.localtime(value, zone)
        )
        if not direct:
            return dateformat.format(local, form)
        return pattern % (parts(local) if parts is not None else ())

    return write


# A character `escape` writes otherwise; most texts of a row hold none.
_SPECIAL = re.compile("[&<>\"']")
# A reference `quote` leaves as it is (letters, digits, "_.-~"): most are.
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")


def _escaped(value: object) -> str:
    """`conditional_escape` without its lazy-text wrapper: the markup of a safe string as it
    is, anything else escaped. A plain text without a character to escape is itself: looking
    for one costs a fifth of `escape`'s five replacements, seven hundred times a page."""
    if type(value) is str:
        return escape(value) if _SPECIAL.search(value) else value
    if type(value) is int:
        # A count: digits and a sign, nothing to escape.
        return str(value)
    markup = getattr(value, "__html__", None)
    return markup() if markup is not None else escape(str(value))


def _reference(reference: str) -> tuple[str, str]:
    """A file's reference as its link's path segment, and as written in the row."""
    if _UNQUOTED.fullmatch(reference):
        # Nothing to quote, nor to escape.
        return reference, reference
    return quote(reference, safe=""), _escaped(reference)


def _programme(programmes: dict[str, str], name: str) -> str:
    """`name` escaped, once per page (`programmes` keeps what was written)."""
    written = programmes.get(name)
    if written is None:
        written = programmes[name] = _escaped(name)
    return written


def write_html(form: str, rows: Iterable[Sequence[object]], separator: str = "\n") -> SafeString:
    """`format_html_join(separator, form, rows)`, written as it does for plain values; the
    template engine's and `format_html`'s escaping pass through two wrappers per value, a
    tenth of a page of fifty rows."""
    return mark_safe(  # noqa: S308 - every value is escaped unless already safe
        separator.join(form.format(*[_escaped(value) for value in row]) for row in rows)
    )


# The columns of a listed file read as a tuple (`values_list(*COLUMNS)`), in this order: the
# ORM then makes no model instance per row (four per file, with its candidate, the
# candidate's profile and the programme: a sixth of the home's time).
COLUMNS = (
    "pk",
    "submitted_at",
    "reference",
    "status",
    "status_changed_at",
    "campaign_id",
    "programme_id",
    "programme__name_fr",
    "programme__name_en",
    "candidate__first_name",
    "candidate__last_name",
    "candidate__email",
    "candidate__profile__given_names",
    "candidate__profile__family_name",
)
# The columns of the home's list: those the list shows (`rows_html`), without the two that
# only the waiting files' lateness reads (a date read is parsed and converted: fifty a page).
LIST_COLUMNS = tuple(name for name in COLUMNS if name not in ("status_changed_at", "campaign_id"))
# The columns of the files waiting on the reader (`waiting_rows_html`): without the date of
# submission, which that table does not show (twenty dates a page read for nothing).
WAITING_COLUMNS = tuple(name for name in COLUMNS if name != "submitted_at")
Listed = Sequence[Any]


def listed_cursor(row: Listed) -> tuple[object, int]:
    """The keyset cursor of a listed row: its date of submission and its id."""
    return row[1], row[0]


@dataclass(frozen=True, slots=True)
class ListedRow:
    """The texts of one listed file, and what its waiting time is measured with."""

    link: str
    payments_link: str
    status: str
    reference: str
    candidate: str
    programme: str
    # As `FileRow.submitted`.
    submitted: str
    status_changed_at: dt.datetime
    campaign_id: int


def _candidate(
    given_names: str | None, family_name: str | None, first_name: str, last_name: str, email: str
) -> str:
    """`User.display_name` from the columns: the profile's names, else the account's, else
    the address. A candidate without a profile has both profile columns empty (None) through
    the outer join."""
    name = f"{given_names} {family_name}".strip() if given_names is not None else ""
    return name or f"{first_name} {last_name}".strip() or email


def listed_rows(
    rows: Iterable[Listed], finance_programmes: Collection[int] = (), *, dated: bool = True
) -> list[ListedRow]:
    """`file_rows` for rows of COLUMNS: the same texts, from the columns as read.

    The candidate's name is `User.display_name`'s (the profile's names, else the account's,
    else the address) and the programme's `Programme.name`, written here from the columns."""
    file_link = links_to("office:file")
    payments_link = links_to("office:finance:file") if finance_programmes else ""
    labels = status_labels()
    moment = _moment_writer(formats.get_format("SHORT_DATETIME_FORMAT"))
    english = (get_language() or "fr").startswith("en")
    found = []
    for (
        _pk,
        submitted_at,
        reference,
        status,
        status_changed_at,
        campaign_id,
        programme_id,
        name_fr,
        name_en,
        first_name,
        last_name,
        email,
        given_names,
        family_name,
    ) in rows:
        slot = reference if _UNQUOTED.fullmatch(reference) else quote(reference, safe="")
        found.append(
            ListedRow(
                link=file_link.replace(SLOT, slot),
                payments_link=(
                    payments_link.replace(SLOT, slot) if programme_id in finance_programmes else ""
                ),
                status=labels.get(status) or status,
                reference=reference,
                candidate=_candidate(given_names, family_name, first_name, last_name, email),
                programme=name_en if english else name_fr,
                submitted=moment(submitted_at) if dated else "",
                status_changed_at=status_changed_at,
                campaign_id=campaign_id,
            )
        )
    return found


# One row of the staff's home list; the arguments escaped by `format_html`.
ROW = '<tr><td><a href="{}">{}</a>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
PAYMENTS = ' · <a href="{}">{}<span class="visually-hidden"> {}</span></a>'


def rows_html(rows: Iterable[Listed], finance_programmes: Collection[int] = ()) -> SafeString:
    """The body of the home's list, for `rows` of LIST_COLUMNS: what `ROW` writes for each of
    `listed_rows` of the same files, written here from the columns as read rather than by a template
    loop (the template engine spent about as much on the fifty rows' few hundred nodes as
    the rest of the page costs), and without a row object.

    What is the same on every row is escaped once per page: the links (a reference quoted
    for a link holds no character to escape), the labels of the statuses and of the
    payments, the programmes' names."""
    file_link = _escaped(links_to("office:file"))
    payments_link = _escaped(links_to("office:finance:file")) if finance_programmes else ""
    label = _escaped(gettext("Payments"))
    labels = {code: _escaped(text) for code, text in status_labels().items()}
    form = formats.get_format("SHORT_DATETIME_FORMAT")
    moment = _moment_writer(form)
    # Digits, and the format's own characters: nothing to escape when those hold none ("—"
    # for no date neither).
    dates_plain = _direct(form) and not _SPECIAL.search(form)
    english = (get_language() or "fr").startswith("en")
    programmes: dict[str, str] = {}
    written = []
    for (
        _pk,
        submitted_at,
        reference,
        status,
        programme_id,
        name_fr,
        name_en,
        first_name,
        last_name,
        email,
        given_names,
        family_name,
    ) in rows:
        slot, shown = _reference(reference)
        programme = _programme(programmes, name_en if english else name_fr)
        written.append(
            ROW.format(
                file_link.replace(SLOT, slot),
                shown,
                PAYMENTS.format(payments_link.replace(SLOT, slot), label, shown)
                if programme_id in finance_programmes
                else "",
                _escaped(_candidate(given_names, family_name, first_name, last_name, email)),
                programme,
                labels.get(status) or _escaped(status),
                moment(submitted_at) if dates_plain else _escaped(moment(submitted_at)),
            )
        )
    return mark_safe("\n".join(written))  # noqa: S308 - every value escaped above


WAITING_ROW = (
    '<tr{}>\n      <td><a href="{}">{}</a></td>\n      <td>{}</td>\n      <td>{}</td>\n'
    '      <td>{}</td>\n      <td class="num">{}{}</td>\n    </tr>'
)


def waiting_rows_html(
    rows: Iterable[Sequence[Any]], targets: Mapping[int, int], now: dt.datetime
) -> SafeString:
    """The rows of the files waiting on the reader, for `rows` of WAITING_COLUMNS: what
    `home_html.waiting_html` writes for `listed_rows(rows, dated=False)` with each file's
    days in its step and its campaign's target, those over it marked late; written from the
    columns as read, what is the same on every row escaped once per page (as `rows_html`)."""
    file_link = _escaped(links_to("office:file"))
    labels = {code: _escaped(text) for code, text in status_labels().items()}
    english = (get_language() or "fr").startswith("en")
    late = ' class="late"'
    over_words = gettext("over %(target)s days")
    programmes: dict[str, str] = {}
    written = []
    for (
        _pk,
        reference,
        status,
        status_changed_at,
        campaign_id,
        _programme_id,
        name_fr,
        name_en,
        first_name,
        last_name,
        email,
        given_names,
        family_name,
    ) in rows:
        slot, shown = _reference(reference)
        programme = _programme(programmes, name_en if english else name_fr)
        # `waiting.days_in_step`.
        days = (now - status_changed_at).days
        target = targets.get(campaign_id)
        over = bool(target) and days > (target or 0)
        written.append(
            WAITING_ROW.format(
                late if over else "",
                file_link.replace(SLOT, slot),
                shown,
                _escaped(_candidate(given_names, family_name, first_name, last_name, email)),
                programme,
                labels.get(status) or _escaped(status),
                days,
                f" <strong>({_escaped(over_words % {'target': target})})</strong>" if over else "",
            )
        )
    return mark_safe("\n  ".join(written))  # noqa: S308 - every value escaped above
