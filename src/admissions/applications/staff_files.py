"""The files a staff member's list reaches, and the list exported: shared by the office's
list (office/queue_views.py) and the API's (api/exports.py), so that both read and export
the same files with the same filters."""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterable, Iterator
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.http import QueryDict

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.queue import PAGE_SIZES, export_rows, filtered, read_filters
from admissions.applications.waiting import campaign_targets
from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.core.xlsx import streamed
from admissions.people.models import Role, User
from admissions.people.permissions import allowed_programme_ids

# The roles that read the list of files.
FILE_ROLES = (
    Role.ADMISSIONS_OFFICER,
    Role.PEDAGOGICAL_LEAD,
    Role.INTERVIEWER,
    Role.JURY_MEMBER,
    Role.JURY_PRESIDENT,
    Role.INSTITUTION_ADMIN,
    Role.FINANCE_OFFICER,
)
# At most one page of the list's largest size is acted on at once.
BULK_MAX = max(PAGE_SIZES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scoped_files(
    user: User, *, programme_ids: Collection[int] | QuerySet[Any, Any] | None = None
) -> QuerySet[Application]:
    """The submitted files of the reader's programmes (a draft withdrawn was never sent).

    `programme_ids` are those programmes when the request has read them already (the
    queue's choices): the statement then holds them as values, not as a subquery that
    PostgreSQL plans again with the page's other joins on every request (16 ms of planning
    against 1 for the queue's page of fifty rows). A query of programmes' ids (a compiled
    statement's) stands for the reader's scope as it is."""
    scope = allowed_programme_ids(user, FILE_ROLES) if programme_ids is None else programme_ids
    return Application.objects.filter(programme_id__in=scope, submitted_at__isnull=False).exclude(
        status=Status.DRAFT
    )


def scope_programmes(user: User) -> list[tuple[int, str, str]]:
    """The id and names (French, English) of the reader's programmes, by French name."""
    return list(
        Programme.objects.filter(pk__in=allowed_programme_ids(user, FILE_ROLES))
        .order_by("name_fr")
        .values_list("pk", "name_fr", "name_en")
    )


def chosen_files(
    user: User,
    *,
    ids: Iterable[int] = (),
    references: Iterable[str] = (),
    institution_id: int | None = None,
) -> list[Application] | None:
    """The files ticked for a bulk action (by id or by reference), or None when there are
    more than BULK_MAX or a single one is not the reader's (or outside `institution_id`,
    when given)."""
    wanted_ids, wanted_references = set(ids), set(references)
    if len(wanted_ids) + len(wanted_references) > BULK_MAX:
        return None
    files = scoped_files(user).filter(Q(pk__in=wanted_ids) | Q(reference__in=wanted_references))
    if institution_id is not None:
        files = files.filter(programme__institution_id=institution_id)
    chosen = list(
        files.select_related("candidate", "candidate__profile", "programme").order_by("reference")
    )
    found_ids = {a.pk for a in chosen}
    found_references = {a.reference for a in chosen}
    if wanted_ids - found_ids or wanted_references - found_references:
        return None
    return chosen


def scope_campaigns(user: User) -> list[Campaign]:
    """The campaigns of the reader's programmes: the filters' choices and the targets."""
    programmes = Programme.objects.filter(pk__in=allowed_programme_ids(user, FILE_ROLES))
    return list(
        # Their rules are read by digest (catalog/parsed.py), not from each row's JSON.
        Campaign.objects.filter(institution__in=programmes.values("institution_id"))
        .defer(*without_rulebooks(""))
        .order_by("-opens_on", "pk")
    )


def exported_files(
    user: User, query: QueryDict, *, institution_id: int | None = None
) -> QuerySet[Application]:
    """The reader's files through the list's filters (`query`), as the export writes them;
    only one institution's where `institution_id` is given (a token tied to it)."""
    filters = read_filters(query)
    targets = campaign_targets(scope_campaigns(user)) if filters.late else {}
    files = scoped_files(user)
    if institution_id is not None:
        files = files.filter(programme__institution_id=institution_id)
    return filtered(files, filters, reader_id=user.pk, targets=targets)


def xlsx_chunks(files: QuerySet[Application], header: list[str]) -> Iterator[bytes]:
    """The list as a workbook, its bytes handed out as they are written (core.xlsx.streamed):
    the first leave before the files are read, whatever their number."""
    return streamed.workbook(header, export_rows(files), title="files")


def xlsx_file(rows: Iterator[list[object]], header: list[str]) -> IO[bytes]:
    """The workbook written row by row to a temporary file (openpyxl's write-only mode
    keeps no row in memory), ready to be streamed from its start: the report's figures, a
    few hundred rows."""
    # Loaded on first export only: the workers' memory at start-up stays small.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="files")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    workbook.save(spool)
    spool.seek(0)
    return spool
