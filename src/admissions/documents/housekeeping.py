"""Periodic upkeep of document storage; every job is idempotent and safe to run at any time.

- versions whose antivirus scan failed are scanned again;
- `incoming/` objects older than a day are deleted: a committed upload deletes its own, so
  what stays there was left by a process that died mid-upload;
- `documents/` and `quarantine/` objects older than a day that no row names are deleted: a
  file is stored before the row that names it is committed, so a process killed in between
  (or a database rolled back) leaves one behind;
- quarantined files older than DOCUMENTS_QUARANTINE_DAYS are deleted with their rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from admissions.documents import storage
from admissions.documents.models import DocumentVersion, QuarantinedFile
from admissions.documents.rescan import pending_scans, retry_scan

DEFAULT_QUARANTINE_DAYS = 30
INCOMING_GRACE = dt.timedelta(days=1)
ORPHAN_BATCH = 500


@dataclass(frozen=True)
class Upkeep:
    rescanned: dict[str, int]
    incoming_deleted: int
    quarantine_deleted: int
    orphans_deleted: int = 0


def rescan_pending() -> dict[str, int]:
    outcomes: dict[str, int] = {}
    for version in pending_scans():
        status = retry_scan(version)
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


def purge_incoming(now: dt.datetime) -> int:
    cutoff = now - INCOMING_GRACE
    stale = [key for key in storage.keys_under(storage.INCOMING) if storage.older_than(key, cutoff)]
    storage.delete_quietly(*stale)
    return len(stale)


def purge_orphans(now: dt.datetime) -> int:
    """Delete stored files that no row names, once older than the grace of an upload.

    The rows are read in batches after the listing (a file committed meanwhile is named by
    then); only the few files no row names have their age read.
    """
    cutoff = now - INCOMING_GRACE
    orphans: list[str] = []
    for prefix, column, rows in (
        (storage.DOCUMENTS, "file", DocumentVersion.objects),
        (storage.QUARANTINE, "storage_key", QuarantinedFile.objects),
    ):
        keys = list(storage.keys_under(prefix))
        for start in range(0, len(keys), ORPHAN_BATCH):
            batch = keys[start : start + ORPHAN_BATCH]
            named = set(rows.filter(**{f"{column}__in": batch}).values_list(column, flat=True))
            orphans += [k for k in batch if k not in named and storage.older_than(k, cutoff)]
    storage.delete_quietly(*orphans)
    return len(orphans)


def purge_quarantine(now: dt.datetime) -> int:
    days = int(getattr(settings, "DOCUMENTS_QUARANTINE_DAYS", DEFAULT_QUARANTINE_DAYS))
    expired = QuarantinedFile.objects.filter(created_at__lt=now - dt.timedelta(days=days))
    count = 0
    for quarantined in expired:
        storage.delete_quietly(quarantined.storage_key)
        quarantined.delete()
        count += 1
    return count


def run_upkeep(now: dt.datetime | None = None) -> Upkeep:
    moment = now or timezone.now()
    return Upkeep(
        rescanned=rescan_pending(),
        incoming_deleted=purge_incoming(moment),
        quarantine_deleted=purge_quarantine(moment),
        orphans_deleted=purge_orphans(moment),
    )
