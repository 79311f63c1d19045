"""Filters and search of the staff's list of files, and its export."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application

EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class Filters:
    status: str = ""
    programme: int | None = None
    campaign: int | None = None
    search: str = ""
    waiting_days: int | None = None

    @property
    def query(self) -> str:
        """The filters as a query string, for the links of the pages and the export."""
        pairs = {
            "status": self.status,
            "programme": self.programme or "",
            "campaign": self.campaign or "",
            "q": self.search,
            "waiting": self.waiting_days or "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def read_filters(query: QueryDict) -> Filters:
    """What the reader asked for; anything unknown or malformed is ignored."""
    status = query.get("status", "")
    return Filters(
        status=status if status in Status.values else "",
        programme=_number(query.get("programme")),
        campaign=_number(query.get("campaign")),
        search=query.get("q", "").strip()[:100],
        waiting_days=_number(query.get("waiting")),
    )


def filtered(files: QuerySet[Application], filters: Filters) -> QuerySet[Application]:
    if filters.status:
        files = files.filter(status=filters.status)
    if filters.programme:
        files = files.filter(programme_id=filters.programme)
    if filters.campaign:
        files = files.filter(campaign_id=filters.campaign)
    if filters.waiting_days:
        since = timezone.now() - dt.timedelta(days=filters.waiting_days)
        files = files.filter(status_changed_at__lte=since)
    if filters.search:
        words = filters.search
        files = files.filter(
            Q(reference__iexact=words)
            | Q(candidate__email__iexact=words)
            | Q(candidate__last_name__istartswith=words)
            | Q(candidate__first_name__istartswith=words)
        )
    return files


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(files: QuerySet[Application], header: list[str]) -> Iterator[str]:
    """The list as CSV lines, read in chunks: a long list is streamed, never held whole."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # the BOM makes spreadsheets read UTF-8
    now = timezone.now()
    rows = files.select_related("candidate", "programme").order_by("-submitted_at", "-pk")
    for application in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield writer.writerow(
            [
                application.reference,
                application.candidate.get_full_name(),
                application.candidate.email,
                application.programme.name,
                str(Status(application.status).label),
                application.submitted_at.isoformat() if application.submitted_at else "",
                (now - application.status_changed_at).days,
            ]
        )
