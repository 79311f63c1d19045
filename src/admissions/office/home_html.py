"""The loops of the staff's home, written once per page in Python rather than by template tags.

The template engine resolved each `{% url %}` of the links list and each cell of the tables
and options node by node on every request: about a third of the page's time. The links'
addresses and labels depend only on the language and the site's prefix, so they are made
once per process for each; which links a reader gets is still decided on every request
from their roles. Everything typed by a person goes through `format_html`'s escaping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.formats import localize, number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from admissions.applications.lifecycle import Status, status_labels
from admissions.applications.waiting import StepLateness
from admissions.office.file_rows import WAITING_ROW, ListedRow, write_html


@dataclass(frozen=True)
class Shown:
    """Which of the links list's optional links the reader gets (decided per request)."""

    emails_admin: bool
    webhooks_admin: bool
    importer: bool
    finance: bool
    platform: bool


# The links list in the page's order: (view, label, the `Shown` flag that shows it or "").
# "office:messages" carries the unread badge, written per request.
LINKS = (
    ("office:queue", gettext_lazy("Queue of files"), ""),
    ("office:messages", gettext_lazy("Messages from candidates"), ""),
    ("office:outbox", gettext_lazy("Outbox"), ""),
    ("office:jury_sessions", gettext_lazy("Jury sessions"), ""),
    ("office:places_index", gettext_lazy("Places and waiting lists"), ""),
    ("office:reports", gettext_lazy("Reports"), ""),
    ("office:email_templates", gettext_lazy("The institution's emails"), "emails_admin"),
    ("office:catalogue", gettext_lazy("The institution's catalogue"), "emails_admin"),
    ("office:webhooks", gettext_lazy("Webhooks"), "webhooks_admin"),
    ("office:access_logs", gettext_lazy("Who read which document"), "webhooks_admin"),
    ("office:login_logs", gettext_lazy("Staff log-ins"), "webhooks_admin"),
    ("office:bank_details_index", gettext_lazy("Bank details"), "webhooks_admin"),
    ("documents:import_new", gettext_lazy("Open a file from a ZIP archive"), "importer"),
    ("office:finance:index", gettext_lazy("Finance"), "finance"),
    ("office:tokens", gettext_lazy("My API tokens"), ""),
    ("portal:logins", gettext_lazy("My recent log-ins"), ""),
    ("mfa_index", gettext_lazy("Two-factor authentication"), ""),
    ("admin:index", gettext_lazy("Platform administration"), "platform"),
)
MESSAGES = "office:messages"
QUEUE = "office:queue"

# (script prefix, language) -> view -> (address, label escaped, its item written whole);
# addresses and words only.
_made: dict[tuple[str, str | None], dict[str, tuple[str, str, SafeString]]] = {}
ITEM = '<li><a href="{}">{}</a></li>'


def _links() -> dict[str, tuple[str, str, SafeString]]:
    key = (get_script_prefix(), get_language())
    found = _made.get(key)
    if found is None:
        found = {}
        for view, label, _flag in LINKS:
            address, written = reverse(view), format_html("{}", label)
            found[view] = (address, written, format_html(ITEM, address, written))
        _made[key] = found
    return found


def links_html(shown: Shown, unread: int) -> SafeString:
    """The `<li>` items of the links list the reader gets: each written once per language
    and site prefix (a `format_html` each on every page was a tenth of the view's own
    writing), but the messages' with its badge of unread messages."""
    made = _links()
    items = []
    for view, _label, flag in LINKS:
        if flag and not getattr(shown, flag):
            continue
        address, label, item = made[view]
        if view == MESSAGES and unread:
            badge = ngettext("%(counter)s unread", "%(counter)s unread", unread) % {
                "counter": unread
            }
            items.append(
                format_html(
                    '<li><a href="{}">{} <span class="badge warning">{}</span></a></li>',
                    address,
                    mark_safe(label),  # noqa: S308 - escaped by `_links`
                    badge,
                )
            )
        else:
            items.append(item)
    return mark_safe("\n  ".join(items))  # noqa: S308 - each item written by format_html


def waiting_html(waiting: Iterable[tuple[ListedRow, int, int | None]]) -> SafeString:
    """The rows of the files waiting on the reader, those over their target marked late
    (what `file_rows.waiting_rows_html` writes from the columns)."""
    late = mark_safe(' class="late"')
    rows = []
    for row, days, target in waiting:
        over = bool(target) and days > (target or 0)
        rows.append(
            (
                late if over else "",
                row.link,
                row.reference,
                row.candidate,
                row.programme,
                row.status,
                days,
                format_html(
                    " <strong>({})</strong>",
                    gettext("over %(target)s days") % {"target": target},
                )
                if over
                else "",
            )
        )
    return write_html(WAITING_ROW, rows, "\n  ")


LATENESS_ROW = (
    '<tr{}><th scope="row">{}</th><td class="num"><a href="{}?status={}&amp;sort=waiting">'
    '{}<span class="visually-hidden"> {}</span></a></td><td class="num">{}</td></tr>'
)
LATE_CELL = (
    '<a href="{}?status={}&amp;late=1&amp;sort=waiting"><strong>{}</strong>'
    '<span class="visually-hidden"> {}, {}</span></a>'
)


def lateness_html(lateness: Iterable[StepLateness]) -> SafeString:
    """The rows of the waiting times: per step, the files waiting and those over target."""
    queue = _links()[QUEUE][0]
    over = gettext("over the target")
    late = mark_safe(' class="late"')
    return write_html(
        LATENESS_ROW,
        (
            (
                late if step.late else "",
                step.label,
                queue,
                step.status,
                step.waiting,
                step.label,
                write_html(LATE_CELL, [(queue, step.status, step.late, over, step.label)])
                if step.late
                else "0",
            )
            for step in lateness
        ),
        "\n  ",
    )


# (language, the statuses counted) -> the head of the counts' table; (language, the status
# chosen) -> the status filter's options. Words only, and few: every status but draft.
_heads: dict[tuple[str | None, tuple[str, ...]], SafeString] = {}
_status_options: dict[tuple[str | None, str], SafeString] = {}


def counts_head(statuses: Iterable[str]) -> SafeString:
    """The columns' heads of the counts per step: the label of each of `statuses`."""
    codes = tuple(statuses)
    key = (get_language(), codes)
    found = _heads.get(key)
    if found is None:
        labels = status_labels()
        found = _heads[key] = write_html(
            '<th scope="col" class="num">{}</th>', ((labels[code],) for code in codes), ""
        )
    return found


def status_options_html(selected: str) -> SafeString:
    """The status filter's options after its "All": every status but draft, `selected`
    (a status, or "" for none) selected."""
    key = (get_language(), selected)
    found = _status_options.get(key)
    if found is None:
        labels = status_labels()
        if selected and selected not in labels:
            raise ValueError(f"not a status: {selected!r}")
        found = _status_options[key] = options_html(
            ((code, label) for code, label in labels.items() if code != Status.DRAFT), selected
        )
    return found


def roles_html(labels: Iterable[object]) -> SafeString:
    """The reader's roles, in the order of their labels, as `{{ labels|join:", " }}` writes
    them."""
    return mark_safe(", ".join([conditional_escape(label) for label in sorted(map(str, labels))]))  # noqa: S308 - each label escaped


def counts_html(per_programme: Iterable[tuple[str, Sequence[int], int]]) -> SafeString:
    """The rows of the files per step: a programme, its count at each step, its total. The
    counts are whole numbers, written as they are (nothing in one to escape): a cell per
    programme and step, a hundred on the home of a school's staff."""
    return write_html(
        '<tr><th scope="row">{}</th>{}<td class="num">{}</td></tr>',
        (
            (name, mark_safe("".join([f'<td class="num">{n:d}</td>' for n in numbers])), total)  # noqa: S308 - digits only
            for name, numbers, total in per_programme
        ),
        "\n  ",
    )


def options_html(choices: Iterable[tuple[object, object]], selected: object) -> SafeString:
    """A select's options after its "All", the filter's value selected."""
    chosen = mark_safe(" selected")
    return write_html(
        '<option value="{}"{}>{}</option>',
        ((value, chosen if value == selected else "", label) for value, label in choices),
        "",
    )


# The home's two sentences with a number, written as `{% blocktranslate %}` writes them (the
# translation, the number localized and escaped in its place): the tag gathers its text and
# pushes a context on every render, as much as a tenth of the template.


def to_confirm_html(count: int) -> SafeString:
    """The warning's words for `count` values of the rulebooks to confirm."""
    sentence = ngettext(
        "%(counter)s value of the rulebooks is to be confirmed by the school.",
        "%(counter)s values of the rulebooks are to be confirmed by the school.",
        count,
    )
    return mark_safe(sentence % {"counter": conditional_escape(localize(count))})  # noqa: S308 - the number escaped


def listed_html(count: int, counted: int) -> SafeString:
    """How many files the list holds: `count`, or "more than `counted`" past it (grouped
    as the template's `grouped` filter writes it)."""
    if count > counted:
        grouped = number_format(counted, use_l10n=True, force_grouping=True)
        more = gettext("More than %(counted)s submitted files.")
        return mark_safe(more % {"counted": conditional_escape(grouped)})  # noqa: S308 - the number escaped
    sentence = ngettext("%(counter)s submitted file.", "%(counter)s submitted files.", count)
    return mark_safe(sentence % {"counter": conditional_escape(localize(count))})  # noqa: S308 - the number escaped
