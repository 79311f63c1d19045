"""Filters, search and orders of the staff's list of files (the queue), and its export.

Every filter has an index (see `QUEUE_INDEXES` on the application) and every order a
keyset cursor: a page reads the rows it shows, whatever the number of files.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy

from admissions.applications.choices import TRACK_LABELS
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.waiting import over_target
from admissions.rules.vocabulary import Track

EXPORT_CHUNK = 2000
PAGE_SIZES = (10, 50, 200)
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Order:
    field: str
    descending: bool
    label: Promise


# Each order is a column with its own index (see QUEUE_INDEXES), then the primary key.
ORDERS: dict[str, Order] = {
    "newest": Order("submitted_at", True, gettext_lazy("Newest submitted first")),
    "oldest": Order("submitted_at", False, gettext_lazy("Oldest submitted first")),
    "waiting": Order("status_changed_at", False, gettext_lazy("Waiting longest first")),
    "name": Order("sort_name", False, gettext_lazy("Name, A to Z")),
    "reference": Order("reference", False, gettext_lazy("Reference")),
}
NATIONALITY_GROUPS = {"eu": True, "non_eu": False}
YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class Filters:
    status: str = ""
    programme: int | None = None
    campaign: int | None = None
    search: str = ""
    waiting_days: int | None = None
    route: str = ""
    nationality: str = ""  # "eu" or "non_eu"
    abroad: str = ""  # "yes" or "no"
    financing: str = ""
    track: str = ""
    assigned_to_me: bool = False
    late: bool = False  # over the step's target
    sort: str = "newest"
    size: int = DEFAULT_PAGE_SIZE

    @property
    def order(self) -> Order:
        return ORDERS[self.sort]

    @property
    def query(self) -> str:
        """The filters as a query string, for the links of the pages and the export."""
        pairs: dict[str, Any] = {
            "status": self.status,
            "programme": self.programme or "",
            "campaign": self.campaign or "",
            "q": self.search,
            "waiting": self.waiting_days or "",
            "route": self.route,
            "nationality": self.nationality,
            "abroad": self.abroad,
            "financing": self.financing,
            "track": self.track,
            "assigned": "me" if self.assigned_to_me else "",
            "late": "1" if self.late else "",
            "sort": "" if self.sort == "newest" else self.sort,
            "size": "" if self.size == DEFAULT_PAGE_SIZE else self.size,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The filters as form fields, to carry them through a form."""
        return parse_qsl(self.query)

    @property
    def detailed(self) -> bool:
        """Whether a filter of the "more filters" group is chosen (the group shows open)."""
        return bool(
            self.route
            or self.nationality
            or self.abroad
            or self.financing
            or self.track
            or self.waiting_days
            or self.late
            or self.assigned_to_me
        )

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order and page size is chosen."""
        return bool(Filters(sort=self.sort, size=self.size).query != self.query)


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def _slug(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= 60 and text.replace("-", "").replace("_", "").isalnum() else ""


# Read once: `Status.values` builds the choices and their labels again on each call.
_STATUSES = frozenset(Status.values)
_TRACKS = frozenset(track.value for track in Track)


def read_filters(query: QueryDict) -> Filters:
    """What the reader asked for; anything unknown or malformed is ignored."""
    status = query.get("status", "")
    size = _number(query.get("size"))
    return Filters(
        status=status if status in _STATUSES else "",
        programme=_number(query.get("programme")),
        campaign=_number(query.get("campaign")),
        search=query.get("q", "").strip()[:100],
        waiting_days=_number(query.get("waiting")),
        route=_slug(query.get("route")),
        nationality=n if (n := query.get("nationality", "")) in NATIONALITY_GROUPS else "",
        abroad=a if (a := query.get("abroad", "")) in YES_NO else "",
        financing=_slug(query.get("financing")),
        track=t if (t := query.get("track", "")) in _TRACKS else "",
        assigned_to_me=query.get("assigned") == "me",
        late=query.get("late") == "1",
        sort=s if (s := query.get("sort", "")) in ORDERS else "newest",
        size=size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE,
    )


def filtered(
    files: QuerySet[Application],
    filters: Filters,
    *,
    reader_id: int | None = None,
    targets: dict[int, int] | None = None,
) -> QuerySet[Application]:
    """`files` narrowed by `filters`; "assigned to me" needs the reader, "late" the targets."""
    exact: dict[str, Any] = {}
    if filters.status:
        exact["status"] = filters.status
    if filters.programme:
        exact["programme_id"] = filters.programme
    if filters.campaign:
        exact["campaign_id"] = filters.campaign
    if filters.route:
        exact["entry_route"] = filters.route
    # `IN (true)`, not the bare column Django writes for `= true`: the index's equality.
    if filters.nationality:
        exact["eu_national__in"] = [NATIONALITY_GROUPS[filters.nationality]]
    if filters.abroad:
        exact["lives_abroad__in"] = [YES_NO[filters.abroad]]
    if filters.financing:
        exact["financing_mode"] = filters.financing
    if filters.track:
        exact["track"] = filters.track
    if filters.assigned_to_me and reader_id is not None:
        exact["assignment__reviewer_id"] = reader_id
    files = files.filter(**exact)
    if filters.waiting_days:
        since = timezone.now() - dt.timedelta(days=filters.waiting_days)
        files = files.filter(status_changed_at__lte=since)
    if filters.late and targets is not None:
        files = files.filter(over_target(targets))
    if filters.search:
        words = filters.search
        files = files.filter(
            Q(reference__iexact=words)
            | Q(candidate__email__iexact=words)
            | Q(candidate__last_name__istartswith=words)
            | Q(candidate__first_name__istartswith=words)
            | Q(sort_name__startswith=words.casefold())
        )
    return files


# Spreadsheets run a cell that starts with these as a formula: such a value is quoted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


EXPORT_HEADER = [
    gettext_lazy("Reference"),
    gettext_lazy("Candidate"),
    gettext_lazy("Email"),
    gettext_lazy("Programme"),
    gettext_lazy("Track"),
    gettext_lazy("Financing mode"),
    gettext_lazy("Entry route"),
    gettext_lazy("Nationality group"),
    gettext_lazy("Lives abroad"),
    gettext_lazy("Status"),
    gettext_lazy("Submitted"),
    gettext_lazy("Days in this step"),
    gettext_lazy("Reviewer"),
]
_GROUP = {True: gettext_lazy("EU"), False: gettext_lazy("Outside the EU"), None: ""}
_YES = {True: gettext_lazy("yes"), False: gettext_lazy("no"), None: ""}


# The columns the export writes, and no other: read as tuples, no model is made per file.
# The names are the candidate's and the reviewer's `display_name` (people/models.py): the
# profile's names, else the account's, else the address; the programme's the reader's
# language's (`name`).
_PERSON = ("profile__given_names", "profile__family_name", "first_name", "last_name", "email")
_COLUMNS = (
    "reference",
    *(f"candidate__{column}" for column in _PERSON),
    "track",
    "financing_mode",
    "entry_route",
    "eu_national",
    "lives_abroad",
    "status",
    "submitted_at",
    "status_changed_at",
    *(f"assignment__reviewer__{column}" for column in _PERSON),
)


def display_name(
    given_names: str | None, family_name: str | None, first_name: str, last_name: str, email: str
) -> str:
    """`User.display_name` from the columns (the profile's are None without a profile)."""
    name = f"{given_names} {family_name}".strip() if given_names is not None else ""
    return name or f"{first_name} {last_name}".strip() or email


def export_rows(files: QuerySet[Application]) -> Iterator[list[str | int]]:
    """One list of cells per file, read in chunks: a long list is never held whole.

    The labels are translated now, in the request's language: the rows of a streamed answer
    are read once its view has returned, when the API's language is no longer active (the
    middleware sets the thread's language back as the answer leaves it)."""
    english = (get_language() or "fr").startswith("en")
    programme = "programme__name_en" if english else "programme__name_fr"
    rows = files.order_by("-submitted_at", "-pk").values_list(*_COLUMNS, programme)
    labels = _Labels(
        statuses={value: str(label) for value, label in Status.choices},
        tracks={track: str(label) for track, label in TRACK_LABELS.items()},
        groups={value: str(label) for value, label in _GROUP.items()},
        yes={value: str(label) for value, label in _YES.items()},
    )
    return _rows(rows, labels)


@dataclass(frozen=True)
class _Labels:
    statuses: dict[str, str]
    tracks: dict[str, str]
    groups: dict[bool | None, str]
    yes: dict[bool | None, str]


def _rows(
    rows: QuerySet[Application, tuple[Any, ...]], labels: _Labels
) -> Iterator[list[str | int]]:
    now = timezone.now()
    for row in rows.iterator(chunk_size=EXPORT_CHUNK):
        reference, candidate, email = row[0], row[1:6], row[5]
        track, financing_mode, entry_route, eu_national, lives_abroad = row[6:11]
        status, submitted_at, status_changed_at = row[11:14]
        reviewer, programme_name = row[14:19], row[19]
        yield [
            _safe(reference),
            _safe(display_name(*candidate)),
            _safe(email),
            _safe(programme_name),
            _safe(labels.tracks.get(track, track)),
            _safe(financing_mode),
            _safe(entry_route),
            _safe(labels.groups[eu_national]),
            _safe(labels.yes[lives_abroad]),
            _safe(labels.statuses[status]),
            _safe(submitted_at.isoformat() if submitted_at else ""),
            (now - status_changed_at).days,
            # Without an assignment, the reviewer's columns are all None.
            _safe(display_name(*reviewer) if reviewer[4] is not None else ""),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(files: QuerySet[Application], header: list[str]) -> Iterator[str]:
    """The list as CSV lines, streamed (its labels translated now, see `export_rows`)."""
    return _csv_lines(export_rows(files), header)


def _csv_lines(rows: Iterator[list[str | int]], header: list[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # the BOM makes spreadsheets read UTF-8
    for row in rows:
        yield writer.writerow(row)
